package org.iteralign.core.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlamaCppServerTest {

    @Test
    void serverThatCannotLoadItsModelFailsWithItsOwnOutput(@TempDir Path dir) throws IOException {
        String python = System.getProperty("iteralign.python", "");
        assumeTrue(!python.isBlank(), "system property iteralign.python (a Python with llama-cpp-python[server]) is not set");
        Path notAModel = Files.writeString(dir.resolve("not-a-model.gguf"), "this is not a GGUF file");

        var e = assertThrows(IllegalStateException.class, () -> LlamaCppServer.start(Path.of(python), notAModel));

        assertTrue(e.getMessage().startsWith("llama_cpp.server exited with code "), e.getMessage());
        assertTrue(e.getMessage().contains("not-a-model.gguf"), "the server's own output should be quoted: " + e.getMessage());
    }
}
