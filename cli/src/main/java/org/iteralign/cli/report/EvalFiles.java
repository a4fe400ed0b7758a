package org.iteralign.cli.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.iteralign.core.UserInputException;
import org.iteralign.core.pipeline.RunDirectory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Reads every {@code iterations/NNN/eval.json} of a run, in iteration order; a run may have none. */
final class EvalFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EvalFiles() {}

    static List<Evaluation> read(RunDirectory run) {
        Path iterations = run.root().resolve("iterations");
        if (!Files.isDirectory(iterations)) return List.of();
        List<Evaluation> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(iterations)) {
            for (Path dir : dirs.sorted().toList()) {
                String name = dir.getFileName().toString();
                Path file = dir.resolve("eval.json");
                if (name.matches("\\d{3}") && Files.isRegularFile(file)) out.add(parse(Integer.parseInt(name), file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + iterations, e);
        }
        return out;
    }

    static Evaluation parse(int iteration, Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new UserInputException(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(), e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (root == null || !root.path("suites").isObject()) throw new UserInputException(file, "no \"suites\" object");
        Map<String, Evaluation.Suite> suites = new LinkedHashMap<>();
        for (var entry : root.get("suites").properties()) {
            JsonNode s = entry.getValue();
            Map<String, Double> metrics = new LinkedHashMap<>();
            for (var m : s.path("metrics").properties()) {
                if (!m.getValue().isNumber()) {
                    throw new UserInputException(file, "suite " + entry.getKey() + ": metric " + m.getKey() + " is not a number");
                }
                metrics.put(m.getKey(), m.getValue().asDouble());
            }
            Map<String, Evaluation.Interval> ci = new LinkedHashMap<>();
            for (var c : s.path("ci95").properties()) {
                JsonNode b = c.getValue();
                if (!b.isArray() || b.size() != 2 || !b.get(0).isNumber() || !b.get(1).isNumber()) {
                    throw new UserInputException(file, "suite " + entry.getKey() + ": ci95." + c.getKey() + " is not [low, high]");
                }
                ci.put(c.getKey(), new Evaluation.Interval(b.get(0).asDouble(), b.get(1).asDouble()));
            }
            suites.put(entry.getKey(), new Evaluation.Suite(s.path("n").asInt(), s.path("mode").asText(""),
                    Collections.unmodifiableMap(metrics), Collections.unmodifiableMap(ci)));
        }
        return new Evaluation(iteration, root.path("model").asText(""), Collections.unmodifiableMap(suites));
    }
}
