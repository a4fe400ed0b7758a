package org.iteralign.cli;

import org.iteralign.core.UserInputException;
import org.iteralign.core.pipeline.RunDirectory;
import org.iteralign.core.store.RunStore;

import java.nio.file.Files;
import java.nio.file.Path;

/** Opens an existing run directory named on the command line, refusing anything that is not one. */
final class RunDirectoryArgument {
    private RunDirectoryArgument() {}

    static RunDirectory existing(Path dir) {
        if (!Files.isDirectory(dir)) throw new UserInputException(dir, "no such run directory");
        RunDirectory run = new RunDirectory(dir);
        if (!run.exists()) throw new UserInputException(dir, "not a run directory (no run.db); run 'iteralign run' first");
        return run;
    }

    static RunStore openStore(Path dir) {
        return RunStore.open(existing(dir).database());
    }
}
