package org.iteralign.core.redteam;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The read-only datasets under {@code iteralign.sharedData}; tests that need one skip when it is absent. */
final class SharedData {
    private SharedData() {}

    static Path require(String relative) {
        String root = System.getProperty("iteralign.sharedData");
        assumeTrue(root != null, "system property iteralign.sharedData is not set (the root pom passes it to surefire)");
        Path file = Path.of(root, relative);
        assumeTrue(Files.isRegularFile(file), "shared dataset " + file + " is missing");
        return file;
    }
}
