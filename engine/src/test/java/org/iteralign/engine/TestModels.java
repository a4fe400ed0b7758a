package org.iteralign.engine;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the real test fixtures the build passes in, skipping a test when one is absent. */
public final class TestModels {
    private TestModels() {}

    /** The SmolLM2-135M-Instruct Q4_1 GGUF named by -Diteralign.testModel. */
    public static Path smolLm2() {
        String p = System.getProperty("iteralign.testModel", "");
        assumeTrue(!p.isBlank(), "no test model: set -Diteralign.testModel=PATH to SmolLM2-135M-Instruct.Q4_1.gguf");
        Path path = Path.of(p);
        assumeTrue(Files.isRegularFile(path), "test model not found: " + path);
        return path;
    }
}
