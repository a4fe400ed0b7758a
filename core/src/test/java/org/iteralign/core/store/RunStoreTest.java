package org.iteralign.core.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunStoreTest {
    @TempDir
    Path dir;

    @Test
    void aFailedTransactionLeavesNothingBehind() {
        try (RunStore store = RunStore.open(dir.resolve("run.db"))) {
            assertThrows(IllegalStateException.class, () -> store.transaction(() -> {
                store.markStageDone(1, "red_team");
                throw new IllegalStateException("crash in the middle");
            }));
            assertFalse(store.stageDone(1, "red_team"));
            store.transaction(() -> store.markStageDone(1, "red_team"));
            assertTrue(store.stageDone(1, "red_team"));
        }
    }

    @Test
    void metaAndCountersPersist() {
        try (RunStore store = RunStore.open(dir.resolve("run.db"))) {
            store.putMeta("status", "running");
            store.putMeta("status", "finished");
            store.increment("hits", 2);
            store.increment("hits", 3);
        }
        try (RunStore store = RunStore.open(dir.resolve("run.db"))) {
            assertEquals("finished", store.meta("status").orElseThrow());
            assertEquals(5, store.counter("hits"));
            assertEquals(0, store.counter("never"));
        }
    }

    @Test
    void theSchemaRejectsAnUnknownVerdict() {
        try (RunStore store = RunStore.open(dir.resolve("run.db"))) {
            assertThrows(StoreException.class, () -> store.update(
                    "INSERT INTO verdicts(iteration, subject, prompt_id, verdict, raw, attempts) VALUES (1, 'response', 'p', 'maybe', '', 1)"));
        }
    }
}
