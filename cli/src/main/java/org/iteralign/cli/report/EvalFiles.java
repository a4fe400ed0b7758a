package org.iteralign.cli.report;

import org.iteralign.core.eval.EvalReport;
import org.iteralign.core.pipeline.RunDirectory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Finds every {@code iterations/NNN/eval.json} of a run, in iteration order; a run may have none. */
final class EvalFiles {
    private EvalFiles() {}

    static List<Evaluation> read(RunDirectory run) {
        Path iterations = run.root().resolve("iterations");
        if (!Files.isDirectory(iterations)) return List.of();
        List<Evaluation> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(iterations)) {
            for (Path dir : dirs.sorted().toList()) {
                String name = dir.getFileName().toString();
                Path file = dir.resolve("eval.json");
                if (name.matches("\\d{3}") && Files.isRegularFile(file)) {
                    out.add(new Evaluation(Integer.parseInt(name), EvalReport.read(file)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + iterations, e);
        }
        return out;
    }
}
