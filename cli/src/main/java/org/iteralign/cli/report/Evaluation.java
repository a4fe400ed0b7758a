package org.iteralign.cli.report;

import org.iteralign.core.eval.EvalReport;
import org.iteralign.core.eval.SuiteResult;

import java.util.Map;

/** One {@code iterations/NNN/eval.json}: the model after iteration {@code iteration} (0: the starting model) and its scores. */
record Evaluation(int iteration, EvalReport report) {
    Map<String, SuiteResult> suites() {
        return report.suites();
    }
}
