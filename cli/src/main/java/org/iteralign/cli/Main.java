package org.iteralign.cli;

import org.iteralign.core.UserInputException;
import org.iteralign.core.model.ModelCallException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The {@code iteralign} command. Answers go to stdout, logs and progress to stderr. Exit codes: 0 success,
 * 1 a failure that is not the user's (a provider kept failing; {@code --resume} continues), 2 bad input: one
 * line {@code error: FILE[:LINE]: what is wrong}, never a stack trace.
 */
@Command(name = "iteralign", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Iterative constitutional alignment (IterAlign) of language models.",
        subcommands = {DemoCommand.class, RunCommand.class, ReportCommand.class, ConstitutionsCommand.class, ExportCommand.class, DatasetsCommand.class, ModelsCommand.class, GenerateCommand.class, ChatCommand.class,
                EvalCommand.class, TrainCommand.class, MergeCommand.class, ServeCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    static final int USER_ERROR = 2;
    static final int FAILURE = 1;

    public static void main(String[] args) {
        // One short line per log record on stderr ("iteralign INFO: retrying after 2.0 s: HTTP 429"), not JUL's two.
        System.setProperty("java.util.logging.SimpleFormatter.format", "iteralign %4$s: %5$s%6$s%n");
        System.exit(execute(args));
    }

    static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler((e, a) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("error: " + e.getMessage().replace('\n', ' ')
                    + " (see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return USER_ERROR;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> report(e, commandLine.getErr()));
        return cli.execute(args);
    }

    static int report(Exception e, PrintWriter err) {
        switch (e) {
            case UserInputException u -> {
                err.println(u.toErrorLine());
                return USER_ERROR;
            }
            case ModelCallException m when m.userFixable() -> {
                err.println("error: " + m.getMessage());
                return USER_ERROR;
            }
            case ModelCallException m -> {
                err.println("error: " + m.getMessage());
                err.println("finished work is saved; run the same command with --resume to continue");
                return FAILURE;
            }
            default -> {
                if (System.getenv("ITERALIGN_DEBUG") != null) e.printStackTrace(err);
                err.println("error: internal: " + e + " (this is a bug; ITERALIGN_DEBUG=1 shows the stack trace)");
                return FAILURE;
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"iteralign " + (v == null ? "development build" : v)};
        }
    }
}
