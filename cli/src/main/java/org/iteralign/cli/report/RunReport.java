package org.iteralign.cli.report;

import org.iteralign.core.pipeline.RunDirectory;

import java.nio.file.Path;

/**
 * The run report: {@code report/index.html} (charts of negative rates, evaluation suites and training loss, the
 * constitution timeline, before/after examples) and {@code report/summary.md} (the same numbers as markdown),
 * both written from what the run directory holds, so it can be regenerated at any time.
 */
public final class RunReport {
    private RunReport() {}

    /**
     * Writes both files, replacing earlier ones.
     *
     * @return the path of {@code report/index.html}
     * @throws org.iteralign.core.UserInputException when the directory has no summary.json yet or an eval.json is malformed
     */
    public static Path write(RunDirectory run) {
        ReportData data = ReportData.load(run);
        Path dir = run.root().resolve("report");
        Path index = dir.resolve("index.html");
        RunDirectory.writeAtomically(index, new HtmlReport(data).render());
        RunDirectory.writeAtomically(dir.resolve("summary.md"), new MarkdownSummary(data).render());
        return index;
    }
}
