package org.iteralign.core.eval;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Which candidate a suite picks, with the tie rule of the evaluation it reproduces. */
final class Argmax {
    private Argmax() {}

    /** numpy's {@code argmax}, as lm-evaluation-harness uses it: the first of equal maxima. */
    static int first(double[] scores) {
        int best = 0;
        for (int i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
        return best;
    }

    /**
     * Dromedary's (and BIG-bench's) {@code argmax} with "deterministic pseudorandom tie breaking": among equal
     * maxima, index {@code sha256(float64 little-endian bytes of scores) mod count}. Picking the first would
     * favour the candidate listed first, which in these datasets is often the correct one.
     */
    static int dromedary(double[] scores) {
        double max = Double.NEGATIVE_INFINITY;
        for (double s : scores) max = Math.max(max, s);
        int ties = 0;
        for (double s : scores) if (s == max) ties++;
        ByteBuffer bytes = ByteBuffer.allocate(8 * scores.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double s : scores) bytes.putDouble(s);
        int pick = new BigInteger(1, sha256(bytes.array())).mod(BigInteger.valueOf(ties)).intValue();
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] == max && pick-- == 0) return i;
        }
        throw new IllegalArgumentException("no maximum among the scores (NaN?)");
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
