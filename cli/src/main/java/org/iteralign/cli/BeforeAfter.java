package org.iteralign.cli;

import org.iteralign.core.eval.EvalReport;
import org.iteralign.core.eval.SuiteResult;
import org.iteralign.core.pipeline.RunDirectory;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The starting model against the last evaluated one, metric by metric, with 95% intervals. A change whose
 * intervals overlap is called within noise: with a few dozen prompts, most changes of a small model are.
 */
final class BeforeAfter {
    private BeforeAfter() {}

    static void print(RunDirectory dir, PrintStream out) {
        Path start = dir.iteration(0).resolve("eval.json");
        Path last = lastEvaluation(dir);
        if (!Files.isRegularFile(start) || last == null || last.equals(start)) {
            out.println("no before/after evaluation in " + dir.root());
            return;
        }
        EvalReport before = EvalReport.read(start);
        EvalReport after = EvalReport.read(last);
        out.printf(Locale.ROOT, "%-16s %-20s %-24s %-24s %-8s %s%n", "suite", "metric", "starting model [95% CI]",
                "final model [95% CI]", "change", "");
        for (var entry : before.suites().entrySet()) {
            SuiteResult b = entry.getValue();
            SuiteResult a = after.suites().get(entry.getKey());
            if (a == null) continue;
            for (var metric : b.metrics().keySet()) {
                if (!a.metrics().containsKey(metric)) continue;
                double vb = b.metric(metric);
                double va = a.metric(metric);
                double[] cb = b.ci95().get(metric);
                double[] ca = a.ci95().get(metric);
                String verdict = cb == null || ca == null ? "" : overlap(cb, ca) ? "within noise" : "beyond noise";
                out.printf(Locale.ROOT, "%-16s %-20s %-24s %-24s %+8.3f %s%n", entry.getKey(), metric, cell(vb, cb), cell(va, ca),
                        va - vb, verdict);
            }
        }
        out.println("(starting model: " + dir.root().relativize(start) + ", final model: " + dir.root().relativize(last) + ")");
    }

    private static boolean overlap(double[] x, double[] y) {
        return x[0] <= y[1] && y[0] <= x[1];
    }

    private static String cell(double value, double[] ci) {
        return ci == null ? String.format(Locale.ROOT, "%.3f", value)
                : String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", value, ci[0], ci[1]);
    }

    private static Path lastEvaluation(RunDirectory dir) {
        Path iterations = dir.root().resolve("iterations");
        if (!Files.isDirectory(iterations)) return null;
        try (Stream<Path> all = Files.list(iterations)) {
            List<Path> evals = all.map(p -> p.resolve("eval.json")).filter(Files::isRegularFile).sorted().toList();
            return evals.isEmpty() ? null : evals.getLast();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
