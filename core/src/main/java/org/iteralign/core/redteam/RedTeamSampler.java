package org.iteralign.core.redteam;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run's red-team pool. Prompts are de-duplicated by exact text (the first occurrence wins), then put in a
 * seeded order; {@code limit} keeps the first prompts of that order, the last {@code heldout} fraction of those is
 * set aside for evaluation, and the rest is the training pool, consumed in slices of {@code batchSize}.
 *
 * <p>The order ranks each prompt by the first 8 bytes (a signed big-endian long) of SHA-256 over the seed (8
 * big-endian bytes) followed by the UTF-8 text, rather than by shuffling with a random number generator: it is the
 * same on every JDK, it can be recomputed outside Java, and adding or removing a dataset keeps the relative order
 * of the prompts that stay.
 */
public final class RedTeamSampler {
    private final List<RedTeamPrompt> heldout;
    private final List<RedTeamPrompt> training;

    /**
     * @param limit   how many distinct prompts to use in all (held-out ones included); 0 means all
     * @param heldout fraction in [0, 1) set aside before sampling, rounded to the nearest whole prompt, but
     *                never so many that the training pool is left empty
     */
    public RedTeamSampler(List<RedTeamPrompt> prompts, long seed, int limit, double heldout) {
        if (limit < 0) throw new IllegalArgumentException("limit must be >= 0, got " + limit);
        if (!(heldout >= 0 && heldout < 1)) throw new IllegalArgumentException("heldout must be in [0, 1), got " + heldout);
        Map<String, RedTeamPrompt> byText = new LinkedHashMap<>();
        for (RedTeamPrompt p : prompts) byText.putIfAbsent(p.text(), p);
        // A stable sort: the rare equal ranks keep input order.
        List<RedTeamPrompt> ranked = byText.values().stream()
                .map(p -> new Ranked(rank(seed, p), p))
                .sorted(Comparator.comparingLong(Ranked::rank))
                .map(Ranked::prompt)
                .toList();
        List<RedTeamPrompt> used = limit > 0 && limit < ranked.size() ? ranked.subList(0, limit) : ranked;
        int n = used.size();
        int held = n == 0 ? 0 : (int) Math.min(Math.round(n * heldout), n - 1);
        this.training = List.copyOf(used.subList(0, n - held));
        this.heldout = List.copyOf(used.subList(n - held, n));
    }

    private record Ranked(long rank, RedTeamPrompt prompt) {}

    private static long rank(long seed, RedTeamPrompt p) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(ByteBuffer.allocate(Long.BYTES).putLong(seed).array());
            sha.update(p.text().getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(sha.digest()).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The prompts set aside for evaluation; never in any slice. */
    public List<RedTeamPrompt> heldout() {
        return heldout;
    }

    /** The training pool in its seeded order. */
    public List<RedTeamPrompt> trainingPool() {
        return training;
    }

    /**
     * Slice {@code index} (0-based: iteration k of a run uses slice k-1) of {@code batchSize} prompts; the last
     * slice may be shorter, and an empty list means the pool is exhausted.
     */
    public List<RedTeamPrompt> slice(int index, int batchSize) {
        if (index < 0) throw new IllegalArgumentException("slice index must be >= 0, got " + index);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        long from = (long) index * batchSize;
        if (from >= training.size()) return List.of();
        return training.subList((int) from, (int) Math.min(from + batchSize, training.size()));
    }
}
