package org.iteralign.cli;

import org.iteralign.core.UserInputException;
import org.iteralign.core.pipeline.RunDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "constitutions", mixinStandardHelpOptions = true,
        description = "Print a run's constitution library (constitutions.md): every principle, the iteration that "
                + "proposed it and the red-team cases behind it.")
final class ConstitutionsCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "A run directory.")
    Path dir;

    @Override
    public Integer call() throws IOException {
        RunDirectory run = RunDirectoryArgument.existing(dir);
        Path file = run.constitutions();
        if (!Files.exists(file)) throw new UserInputException(dir, "the run has not proposed any constitution yet");
        System.out.print(Files.readString(file));
        return 0;
    }
}
