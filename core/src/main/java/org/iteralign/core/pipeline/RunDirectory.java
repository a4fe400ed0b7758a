package org.iteralign.core.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The files of one run, laid out as docs/architecture.md describes. */
public record RunDirectory(Path root) {
    public RunDirectory {
        root = root.toAbsolutePath().normalize();
    }

    public Path config() {
        return root.resolve("config.yaml");
    }

    public Path database() {
        return root.resolve("run.db");
    }

    public Path summary() {
        return root.resolve("summary.json");
    }

    public Path constitutions() {
        return root.resolve("constitutions.md");
    }

    /** {@code iterations/000} holds the starting model's evaluation; red-team iterations count from 001. */
    public Path iteration(int iteration) {
        return root.resolve("iterations").resolve("%03d".formatted(iteration));
    }

    public boolean exists() {
        return Files.exists(database());
    }

    /** Writes through a temporary file and a rename, so a reader (or a killed run) never sees half a file. */
    public static void writeAtomically(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
