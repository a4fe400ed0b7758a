package org.iteralign.cli;

import org.iteralign.cli.report.RunReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write a run's report: DIR/report/index.html (one self-contained page with charts of negative rates, "
                + "evaluation suites and training loss, the constitution timeline and before/after examples) and "
                + "DIR/report/summary.md. Prints the path of index.html.")
final class ReportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "A run directory.")
    Path dir;

    @Override
    public Integer call() {
        System.out.println(RunReport.write(RunDirectoryArgument.existing(dir)));
        return 0;
    }
}
