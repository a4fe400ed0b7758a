package org.iteralign.core.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.iteralign.core.UserInputException;
import org.iteralign.core.store.RunStore;
import org.iteralign.core.store.StoreException;

/** Where the red-team evaluation's prompts come from: a run's held-out prompts, or a text file of one prompt a line. */
public final class HeldoutPrompts {
    private HeldoutPrompts() {}

    /**
     * @param path a run directory or its {@code run.db} (the {@code heldout} table, in its recorded order), or a
     *             text file with one prompt a line (blank lines skipped)
     */
    public static List<String> read(Path path) {
        Path db = Files.isDirectory(path) ? path.resolve("run.db") : path;
        if (Files.isDirectory(path) && !Files.isRegularFile(db)) {
            throw new UserInputException(path, "not a run directory (no run.db)");
        }
        if (!Files.isRegularFile(db)) throw new UserInputException(path, "no such file");
        if (db.getFileName().toString().endsWith(".db")) return fromRun(db);
        try {
            List<String> prompts = Files.readAllLines(db).stream().filter(l -> !l.isBlank()).toList();
            if (prompts.isEmpty()) throw new UserInputException(db, "no prompts in the file");
            return prompts;
        } catch (IOException e) {
            throw new UserInputException(db, "cannot read: " + e.getMessage());
        }
    }

    public static List<String> fromRun(Path runDb) {
        try (RunStore store = RunStore.open(runDb)) {
            List<String> prompts = store.query("SELECT text FROM heldout ORDER BY position", r -> r.getString(1));
            if (prompts.isEmpty()) {
                throw new UserInputException(runDb, "the run has no held-out prompts (red_team.heldout was 0)");
            }
            return prompts;
        } catch (StoreException e) {
            throw new UserInputException(runDb, "cannot read the held-out prompts: " + e.getMessage());
        }
    }
}
