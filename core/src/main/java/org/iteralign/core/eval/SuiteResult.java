package org.iteralign.core.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one suite measured: {@code n} items scored, the {@code mode} that says how (e.g. {@code lm-eval-harness},
 * {@code dromedary-compatible}), metric values and their 95% intervals (a metric without one, such as a mean
 * log-likelihood, has no entry in {@code ci95}). Maps keep insertion order, so tables print as suites define them.
 */
public record SuiteResult(String name, int n, String mode, Map<String, Double> metrics, Map<String, double[]> ci95) {
    public SuiteResult {
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        ci95 = Collections.unmodifiableMap(new LinkedHashMap<>(ci95));
    }

    public double metric(String metric) {
        Double value = metrics.get(metric);
        if (value == null) throw new IllegalArgumentException("suite " + name + " has no metric " + metric);
        return value;
    }
}
