package org.iteralign.core.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.iteralign.core.embedded.EmbeddedChatModel;

/** The real test model, SmolLM2-135M-Instruct Q4_1, where scripts/test named it; tests that need it skip otherwise. */
public final class TestModel {
    private TestModel() {}

    /** The GGUF's path, or a skipped test that says how to get it. */
    public static Path smolLm2Path() {
        String path = System.getProperty("iteralign.testModel", "");
        assumeTrue(!path.isBlank() && Files.isRegularFile(Path.of(path)),
                "system property iteralign.testModel (the SmolLM2 GGUF) is not set: scripts/test sets it");
        return Path.of(path);
    }

    /** The model on the embedded engine, under the alias the product uses for it. */
    public static EmbeddedChatModel smolLm2() {
        return EmbeddedChatModel.load("smollm2-135m-instruct", smolLm2Path());
    }
}
