package org.iteralign.cli.report;

import java.util.Map;

/**
 * One {@code iterations/NNN/eval.json}: the scores of the model after iteration {@code iteration} (0 is the
 * starting model) on each evaluation suite. Maps keep the file's order, which is the order the report shows.
 */
record Evaluation(int iteration, String model, Map<String, Suite> suites) {

    /** One suite's scores over {@code n} items; {@code ci95} holds a [low, high] interval for some metrics. */
    record Suite(int n, String mode, Map<String, Double> metrics, Map<String, Interval> ci95) {}

    record Interval(double low, double high) {}
}
