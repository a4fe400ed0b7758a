package org.iteralign.core.eval;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The read-only datasets under {@code iteralign.sharedData}; tests that need one skip when it is absent. */
final class SharedEvalData {
    private SharedEvalData() {}

    static Path require(String relative) {
        String root = System.getProperty("iteralign.sharedData");
        assumeTrue(root != null && !root.isBlank(), "system property iteralign.sharedData is not set (the root pom passes it to surefire)");
        Path file = Path.of(root, relative);
        assumeTrue(Files.exists(file), "shared dataset " + file + " is missing");
        return file;
    }
}
