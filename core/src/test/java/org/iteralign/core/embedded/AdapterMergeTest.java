package org.iteralign.core.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdapterMergeTest {
    @TempDir
    Path dir;

    @Test
    void theMergeCacheKeepsOnlyTheMostRecentlyUsedFiles() throws IOException {
        for (int i = 0; i < 5; i++) {
            Path f = Files.writeString(dir.resolve("m" + i + ".gguf"), "merged " + i);
            Files.setLastModifiedTime(f, FileTime.fromMillis(1_000_000L * (i + 1)));
        }
        // m0 was used again most recently; a file that is not a merged model is not the cache's to delete.
        Files.setLastModifiedTime(dir.resolve("m0.gguf"), FileTime.fromMillis(9_000_000L));
        Files.writeString(dir.resolve("m9.gguf.123.part"), "a merge in progress");

        AdapterMerge.keepNewest(dir, 3);

        assertEquals(Set.of("m0.gguf", "m4.gguf", "m3.gguf", "m9.gguf.123.part"), names());
        AdapterMerge.keepNewest(dir, 3);
        assertEquals(4, names().size(), "nothing more to delete");
    }

    private Set<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }
}
