package org.iteralign.core.eval;

/** 95% confidence intervals for the metrics suites report. */
public final class Intervals {
    /** The 97.5th percentile of the standard normal distribution. */
    static final double Z = 1.959963984540054;

    private Intervals() {}

    /**
     * Wilson score interval for {@code successes} out of {@code n}: unlike the normal approximation it stays
     * inside [0, 1] and does not collapse to a point at 0 or n successes, which small suites hit often.
     */
    public static double[] wilson(long successes, long n) {
        if (n <= 0) return new double[] {0, 1};
        if (successes < 0 || successes > n) throw new IllegalArgumentException(successes + " successes out of " + n);
        double p = (double) successes / n;
        double z2 = Z * Z;
        double denominator = 1 + z2 / n;
        double center = (p + z2 / (2.0 * n)) / denominator;
        double half = Z / denominator * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        return new double[] {Math.max(0, center - half), Math.min(1, center + half)};
    }

    /**
     * Normal interval of a mean of per-item values in [0, 1] (MC2's probability mass): mean ± z·s/√n with the
     * sample standard deviation, clipped to [0, 1]. Fewer than two items give no spread, so [0, 1].
     */
    public static double[] normalMean(double[] values) {
        int n = values.length;
        if (n < 2) return new double[] {0, 1};
        double mean = 0;
        for (double v : values) mean += v;
        mean /= n;
        double squares = 0;
        for (double v : values) squares += (v - mean) * (v - mean);
        double half = Z * Math.sqrt(squares / (n - 1)) / Math.sqrt(n);
        return new double[] {Math.max(0, mean - half), Math.min(1, mean + half)};
    }
}
