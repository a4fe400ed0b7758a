package org.iteralign.cli;

import org.iteralign.core.config.RunConfig;
import org.iteralign.core.config.RunConfigLoader;
import org.iteralign.core.Backends;
import org.iteralign.core.pipeline.IterAlignRun;
import org.iteralign.core.pipeline.RunDirectory;
import org.iteralign.core.pipeline.RunOutcome;
import org.iteralign.core.pipeline.RunSummary;
import org.iteralign.cli.report.RunReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run IterAlign from a YAML configuration file.",
                "Red-teams the target, judges its answers with the oracle, proposes constitutions, lets the target",
                "revise its answers with them, exports SFT data and trains, for the configured number of iterations.",
                "The last line on stdout is the run directory."})
final class RunCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML run configuration (see examples/).")
    Path config;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: runs/<config file name without extension>).")
    Path out;

    @Option(names = "--resume", description = "Continue an unfinished run in the run directory (after a crash or Ctrl-C).")
    boolean resume;

    @Override
    public Integer call() {
        RunConfig runConfig = RunConfigLoader.load(config);
        Path dir = out != null ? out : Path.of("runs", baseName(config));
        var progress = TerminalProgress.forStderr();
        var directory = new RunDirectory(dir);
        var run = new IterAlignRun(runConfig, directory, CliModels.factory(directory.database()),
                Backends.trainer(runConfig, progress), progress);
        RunOutcome outcome = run.execute(resume);
        if (outcome.status() == RunOutcome.Status.ALREADY_FINISHED) {
            progress.note("run already finished in " + outcome.directory().root() + "; nothing to do (no model was called)");
        }
        printSummary(outcome.summary());
        System.out.println("report: " + RunReport.write(outcome.directory()));
        System.out.println(outcome.directory().root());
        return 0;
    }

    private static void printSummary(RunSummary s) {
        System.out.printf("iterations %d | prompts %d | negatives %d | unparsed %d | constitutions %d | revisions %d (kept %d) "
                        + "| SFT examples %d | model calls %d (cache hits %d)%n",
                s.iterationsCompleted(), s.prompts(), s.negatives(), s.unparsed(), s.constitutions(), s.revisions(),
                s.revisionsKept(), s.sftExamples(), s.llmCalls(), s.llmCacheHits());
        if (!s.note().isEmpty()) System.out.println("note: " + s.note());
    }

    private static String baseName(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
