package org.iteralign.cli.report;

import org.iteralign.core.eval.SuiteResult;
import org.iteralign.core.pipeline.RunSummary;

import java.util.List;

/** {@code report/summary.md}: the report's numbers as markdown tables, for terminals and pull requests. */
final class MarkdownSummary {
    private final ReportData data;

    MarkdownSummary(ReportData data) {
        this.data = data;
    }

    String render() {
        RunSummary s = data.summary();
        StringBuilder md = new StringBuilder("# IterAlign run ").append(cell(data.runName())).append("\n\n");
        md.append("Status **").append(cell(s.status())).append("**, trainer **").append(cell(s.trainer())).append("**, ")
                .append(s.iterationsCompleted()).append(s.iterationsCompleted() == 1 ? " iteration" : " iterations").append(" completed.\n");
        if (!s.note().isBlank()) md.append("\n> ").append(cell(s.note())).append('\n');
        md.append("\n| | count |\n|---|---:|\n");
        row(md, "red-team prompts answered", s.prompts());
        row(md, "judged negative", s.negatives());
        row(md, "judge replies unparsed", s.unparsed());
        row(md, "constitutions", s.constitutions());
        row(md, "revisions", s.revisions());
        row(md, "SFT examples", s.sftExamples());
        row(md, "model calls", s.llmCalls());
        row(md, "cache hits", s.llmCacheHits());
        if (!s.tokens().isEmpty()) {
            md.append("\n| role | prompt tokens | completion tokens |\n|---|---:|---:|\n");
            s.tokens().forEach((role, t) -> md.append("| ").append(cell(role)).append(" | ").append(t.prompt()).append(" | ")
                    .append(t.completion()).append(" |\n"));
        }
        rates(md);
        evaluations(md);
        constitutions(md);
        return md.toString();
    }

    private void rates(StringBuilder md) {
        md.append("\n## Negative rate per iteration\n\n");
        if (data.rates().isEmpty()) {
            md.append("No iteration has red-teamed yet.\n");
            return;
        }
        md.append("| iteration | responses | negative | before reflection | revisions | still negative | after reflection |\n")
                .append("|---:|---:|---:|---:|---:|---:|---:|\n");
        for (IterationRates r : data.rates()) {
            md.append("| ").append(r.iteration()).append(" | ").append(r.responses()).append(" | ").append(r.negatives()).append(" | ")
                    .append(r.before().isPresent() ? Html.percent(r.before().getAsDouble()) : "-").append(" | ").append(r.revisions())
                    .append(" | ").append(r.revisionsJudged() == 0 ? "-" : r.revisionsNegative() + " of " + r.revisionsJudged())
                    .append(" | ").append(HtmlReport.afterText(r)).append(" |\n");
        }
    }

    private void evaluations(StringBuilder md) {
        md.append("\n## Evaluation\n\n");
        List<Evaluation> evals = data.evaluations();
        if (evals.isEmpty()) {
            md.append("Not evaluated (no `iterations/NNN/eval.json`).\n");
            return;
        }
        md.append("| suite | metric |");
        for (Evaluation e : evals) md.append(' ').append(e.iteration() == 0 ? "start" : "iteration " + e.iteration()).append(" |");
        md.append("\n|---|---|").append("---:|".repeat(evals.size())).append('\n');
        for (String suite : HtmlReport.suiteNames(evals)) {
            for (String metric : HtmlReport.metricNames(evals, suite)) {
                md.append("| ").append(cell(suite)).append(" | ").append(cell(metric)).append(" |");
                for (Evaluation e : evals) {
                    SuiteResult s = e.suites().get(suite);
                    Double v = s == null ? null : s.metrics().get(metric);
                    double[] ci = s == null ? null : s.ci95().get(metric);
                    md.append(' ').append(v == null ? "-" : Html.decimal(v))
                            .append(ci == null ? "" : " [" + Html.decimal(ci[0]) + ", " + Html.decimal(ci[1]) + "]").append(" |");
                }
                md.append('\n');
            }
        }
        md.append("\nValues with their 95% confidence intervals in brackets; \"start\" is the starting model.\n");
    }

    private void constitutions(StringBuilder md) {
        md.append("\n## Constitutions\n\n");
        if (data.principles().isEmpty()) {
            md.append("No principle has been proposed yet.\n");
            return;
        }
        md.append("| id | first proposed | times proposed | cases | principle |\n|---|---:|---:|---:|---|\n");
        for (PrincipleHistory p : data.principles()) {
            md.append("| ").append(cell(p.id())).append(" | ").append(p.firstIteration()).append(" | ").append(p.proposedIn().size())
                    .append(" | ").append(p.cases().size()).append(" | ").append(cell(p.text())).append(" |\n");
        }
    }

    private static void row(StringBuilder md, String label, long value) {
        md.append("| ").append(label).append(" | ").append(value).append(" |\n");
    }

    /**
     * Model text inside a table cell: one line, pipes escaped, and HTML-escaped, because pull-request pages render
     * markdown with inline HTML.
     */
    static String cell(String text) {
        return Html.text(text).replaceAll("\\s+", " ").replace("|", "\\|").replace("`", "'").strip();
    }
}
