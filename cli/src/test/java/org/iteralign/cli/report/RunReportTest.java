package org.iteralign.cli.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.iteralign.core.UserInputException;
import org.iteralign.core.pipeline.RunDirectory;
import org.iteralign.core.store.RunStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path shared;
    private static RunDirectory full;
    private static String html;

    @TempDir
    Path tmp;

    /** One run with evaluations and training metrics, reported once, for the tests that only read the page. */
    @BeforeAll
    static void reportOnAFullRun() throws Exception {
        full = RunFixture.run(shared, true);
        RunFixture.addEvaluations(full, 3);
        RunFixture.addTrainingMetrics(full, 3);
        html = Files.readString(RunReport.write(full));
    }

    @Test
    void negativeRateBarsAreTheCountsOfSummaryJsonAndRunDb() throws Exception {
        JsonNode summary = JSON.readTree(full.summary().toFile());
        ChartMarks chart = ChartMarks.named(html, "negative-rate");
        Map<String, Double> before = values(chart.marks("rect"), "before");
        Map<String, Double> after = values(chart.marks("rect"), "after");
        assertEquals(summary.get("per_iteration").size(), before.size());
        for (JsonNode it : summary.get("per_iteration")) {
            String i = it.get("iteration").asText();
            assertEquals(it.get("negatives").asDouble() / it.get("prompts").asDouble(), before.get(i), 1e-12, "iteration " + i);
        }
        assertTrue(before.values().stream().anyMatch(v -> v > 0), "the fixture must red-team some negatives: " + before);
        try (RunStore store = RunStore.open(full.database())) {
            for (var e : after.entrySet()) {
                int it = Integer.parseInt(e.getKey());
                double judged = store.count("SELECT COUNT(*) FROM verdicts WHERE iteration = ? AND subject = 'revision'", it);
                double negative = store.count(
                        "SELECT COUNT(*) FROM verdicts WHERE iteration = ? AND subject = 'revision' AND verdict = 'negative'", it);
                assertEquals(negative / judged, e.getValue(), 1e-12, "iteration " + it);
            }
            assertEquals(store.count("SELECT COUNT(DISTINCT iteration) FROM verdicts WHERE subject = 'revision'"), after.size());
        }
        assertTrue(after.values().stream().anyMatch(v -> v > 0), "stubborn prompts stay negative: " + after);
    }

    @Test
    void headlineCardsAreSummaryJson() throws Exception {
        JsonNode summary = JSON.readTree(full.summary().toFile());
        for (String key : List.of("prompts", "negatives", "constitutions", "revisions", "sft_examples", "llm_calls")) {
            assertTrue(html.contains("data-key=\"" + key + "\" data-value=\"" + summary.get(key).asLong() + "\""), key);
        }
    }

    @Test
    void everyEvalMetricIsPlottedWithItsIntervalAgainstTheStartingModel() throws Exception {
        int plotted = 0;
        for (int it = 0; it <= 3; it++) {
            int iteration = it;
            JsonNode suites = JSON.readTree(full.iteration(it).resolve("eval.json").toFile()).get("suites");
            for (var suite : suites.properties()) {
                for (var metric : suite.getValue().get("metrics").properties()) {
                    ChartMarks chart = ChartMarks.named(html, suite.getKey() + "/" + metric.getKey());
                    Map<String, String> point = chart.marks("circle").stream()
                            .filter(m -> Double.parseDouble(m.get("data-x")) == iteration)
                            .findFirst().orElseThrow();
                    assertEquals(metric.getValue().asDouble(), Double.parseDouble(point.get("data-value")), 0, chart.chart());
                    JsonNode ci = suite.getValue().path("ci95").path(metric.getKey());
                    if (ci.isArray()) {
                        assertEquals(ci.get(0).asDouble(), Double.parseDouble(point.get("data-lo")), 0);
                        assertEquals(ci.get(1).asDouble(), Double.parseDouble(point.get("data-hi")), 0);
                    } else {
                        assertFalse(point.containsKey("data-lo"), "no interval in eval.json, none drawn: " + chart.chart());
                    }
                    if (it == 0) {
                        Map<String, String> reference = chart.marks("line").getFirst();
                        assertEquals(metric.getValue().asDouble(), Double.parseDouble(reference.get("data-value")), 0);
                    }
                    plotted++;
                }
            }
        }
        assertEquals(4 * 6, plotted);
    }

    @Test
    void lossCurvesAreTheTrainingMetricsTable() {
        ChartMarks chart = ChartMarks.named(html, "training-loss");
        List<Double> drawn = chart.marks("circle").stream().map(m -> Double.parseDouble(m.get("data-value"))).toList();
        try (RunStore store = RunStore.open(full.database())) {
            List<Double> logged = store.query("SELECT loss FROM training_metrics ORDER BY iteration, step", r -> r.getDouble(1));
            assertEquals(logged, drawn);
        }
        assertEquals(List.of("iteration 1", "iteration 2", "iteration 3"),
                chart.marks().stream().map(m -> m.get("data-series")).distinct().toList());
    }

    @Test
    void timelineShowsEachProposalOfEachPrinciple() {
        Map<String, Map<String, Long>> timeline = new HashMap<>();
        for (ChartMarks strip : ChartMarks.all(html)) {
            if (!strip.chart().equals("timeline")) continue;
            timeline.put(strip.attributes().get("data-principle"), strip.marks("circle").stream()
                    .collect(Collectors.toMap(m -> m.get("data-iteration"), m -> Long.parseLong(m.get("data-value")))));
        }
        try (RunStore store = RunStore.open(full.database())) {
            var rows = store.query("SELECT id, first_iteration, times_proposed FROM constitutions ORDER BY id",
                    r -> new Object[] {r.getString(1), r.getInt(2), r.getLong(3)});
            assertEquals(3, rows.size(), "the fixture proposes three distinct principles");
            assertEquals(rows.size(), timeline.size());
            for (Object[] row : rows) {
                Map<String, Long> dots = timeline.get((String) row[0]);
                assertEquals(row[2], dots.values().stream().mapToLong(Long::longValue).sum(), (String) row[0]);
                assertEquals(row[1], dots.keySet().stream().mapToInt(Integer::parseInt).min().orElseThrow());
            }
        }
        assertEquals(Map.of("1", 1L, "2", 1L), timeline.get("C001"), "the harm principle is re-proposed in iteration 2");
    }

    @Test
    void modelAndDatasetTextIsEscaped() throws Exception {
        assertFalse(html.contains(RunFixture.SCRIPT), "raw model text in the page");
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the escaped prompt must be shown");
        assertEquals(1, html.split("<script", -1).length - 1, "only the report's own script element");
        assertTrue(html.contains("Sure, here is how: request"), "negative responses are shown");
        String md = Files.readString(full.root().resolve("report/summary.md"));
        assertFalse(md.contains("<script"), md);
    }

    @Test
    void pageIsSelfContained() {
        // Model names may hold URLs as text; what must not exist is anything the browser would fetch.
        for (String fetch : List.of("src=\"", "href=\"", "<link", "@import", "url(", "<iframe", "<img")) {
            assertFalse(html.contains(fetch), fetch);
        }
    }

    @Test
    void summaryMarkdownHasTheSameNumbers() throws Exception {
        JsonNode summary = JSON.readTree(full.summary().toFile());
        String md = Files.readString(full.root().resolve("report/summary.md"));
        assertTrue(md.contains("| red-team prompts answered | " + summary.get("prompts").asLong() + " |"), md);
        assertTrue(md.contains("| SFT examples | " + summary.get("sft_examples").asLong() + " |"), md);
        JsonNode first = summary.get("per_iteration").get(0);
        assertTrue(md.contains("| 1 | " + first.get("prompts").asLong() + " | " + first.get("negatives").asLong() + " | "), md);
        assertTrue(md.contains("| truthfulqa-mc | MC1 | 0.310 [0.230, 0.390] |"), md);
        assertTrue(md.contains("| C001 | 1 | 2 |"), md);
        assertTrue(md.contains(RehearsedModel.MARKUP), md);
    }

    @Test
    void absentEvaluationsAndTrainingAreSaidSo() throws Exception {
        RunDirectory run = RunFixture.run(tmp, true);
        String page = Files.readString(RunReport.write(run));
        assertTrue(page.contains("Not evaluated"), "no eval.json");
        assertTrue(page.contains("No training step was logged (trainer: <code>none</code>)"), "no training step");
        assertTrue(ChartMarks.all(page).stream().noneMatch(c -> c.chart().contains("/") || c.chart().equals("training-loss")));
        assertTrue(Files.readString(run.root().resolve("report/summary.md")).contains("Not evaluated"));
    }

    @Test
    void unverifiedRevisionsHaveNoAfterBar() throws Exception {
        RunDirectory run = RunFixture.run(tmp, false);
        String page = Files.readString(RunReport.write(run));
        ChartMarks chart = ChartMarks.named(page, "negative-rate");
        assertTrue(values(chart.marks("rect"), "after").isEmpty());
        assertTrue(page.contains("data-series=\"after\" data-iteration=\"1\" ") && page.contains(">not verified</text>"));
        assertTrue(Files.readString(run.root().resolve("report/summary.md")).contains("| not verified |"));
    }

    @Test
    void malformedEvalJsonNamesFileAndLine() throws Exception {
        RunDirectory run = RunFixture.run(tmp, true);
        Path file = run.iteration(2).resolve("eval.json");
        Files.writeString(file, "{\"model\": \"m\",\n \"suites\": {\"hhh\": {\"metrics\": {\"overall\": 0.5,}}}}\n");
        var e = assertThrows(UserInputException.class, () -> RunReport.write(run));
        assertEquals(file.toString(), e.source());
        assertEquals(2, e.line());
    }

    @Test
    void aRunWithoutSummaryIsRefused() throws Exception {
        RunDirectory run = RunFixture.run(tmp, true);
        Files.delete(run.summary());
        var e = assertThrows(UserInputException.class, () -> RunReport.write(run));
        assertTrue(e.toErrorLine().contains("summary.json: missing"), e.toErrorLine());
    }

    private static Map<String, Double> values(List<Map<String, String>> marks, String series) {
        return marks.stream().filter(m -> series.equals(m.get("data-series")))
                .collect(Collectors.toMap(m -> m.get("data-iteration"), m -> Double.parseDouble(m.get("data-value"))));
    }
}
