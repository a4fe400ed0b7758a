package org.iteralign.core.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.iteralign.core.UserInputException;

/**
 * The contents of an {@code eval.json}: which model was evaluated and each suite's result, in the layout
 * <pre>{"model": M, "created": ISO-8601, "suites": {NAME: {"n": N, "mode": MODE, "metrics": {METRIC: VALUE},
 *   "ci95": {METRIC: [LO, HI]}}}}</pre>
 * Readers ignore other top-level keys, so the file can grow without breaking old reports.
 */
public record EvalReport(String model, Map<String, SuiteResult> suites) {
    public EvalReport {
        suites = Collections.unmodifiableMap(new LinkedHashMap<>(suites));
    }

    public static EvalReport of(String model, List<SuiteResult> results) {
        Map<String, SuiteResult> suites = new LinkedHashMap<>();
        for (SuiteResult r : results) suites.put(r.name(), r);
        return new EvalReport(model, suites);
    }

    public String toJson(Instant created) {
        ObjectNode root = JsonFiles.MAPPER.createObjectNode();
        root.put("model", model);
        root.put("created", created.toString());
        ObjectNode all = root.putObject("suites");
        suites.forEach((name, r) -> {
            ObjectNode suite = all.putObject(name);
            suite.put("n", r.n());
            suite.put("mode", r.mode());
            ObjectNode metrics = suite.putObject("metrics");
            r.metrics().forEach(metrics::put);
            ObjectNode ci = suite.putObject("ci95");
            r.ci95().forEach((metric, bounds) -> ci.putArray(metric).add(bounds[0]).add(bounds[1]));
        });
        try {
            return JsonFiles.MAPPER.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always serialises", e);
        }
    }

    /** Writes through a temporary file and a rename, so a reader never sees half a report. */
    public void write(Path file, Instant created) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = parent.resolve(file.getFileName() + ".tmp");
            Files.writeString(tmp, toJson(created), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public static EvalReport read(Path file) {
        JsonNode root = JsonFiles.read(file);
        if (!root.path("model").isTextual() || !root.path("suites").isObject()) {
            throw new UserInputException(file, "not an eval.json: needs \"model\" text and a \"suites\" object");
        }
        Map<String, SuiteResult> suites = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.get("suites").properties()) {
            JsonNode s = e.getValue();
            if (!s.path("n").isInt() || !s.path("mode").isTextual() || !s.path("metrics").isObject()) {
                throw new UserInputException(file, "suite " + e.getKey() + " needs \"n\", \"mode\" and \"metrics\"");
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> m : s.get("metrics").properties()) {
                if (!m.getValue().isNumber()) throw new UserInputException(file, "suite " + e.getKey() + ": metric " + m.getKey() + " is not a number");
                metrics.put(m.getKey(), m.getValue().asDouble());
            }
            Map<String, double[]> ci = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> c : s.path("ci95").properties()) {
                if (!(c.getValue() instanceof ArrayNode bounds) || bounds.size() != 2 || !bounds.get(0).isNumber() || !bounds.get(1).isNumber()) {
                    throw new UserInputException(file, "suite " + e.getKey() + ": ci95 of " + c.getKey() + " must be [lo, hi]");
                }
                ci.put(c.getKey(), new double[] {bounds.get(0).asDouble(), bounds.get(1).asDouble()});
            }
            suites.put(e.getKey(), new SuiteResult(e.getKey(), s.get("n").asInt(), s.get("mode").textValue(), metrics, ci));
        }
        return new EvalReport(root.get("model").textValue(), suites);
    }
}
