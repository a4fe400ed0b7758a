package org.iteralign.cli;

import org.iteralign.cli.report.RunFixture;
import org.iteralign.core.pipeline.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportCommandTest {
    @TempDir
    Path tmp;

    @Test
    void writesTheReportAndPrintsItsPath() throws Exception {
        RunDirectory run = RunFixture.run(tmp, true);
        CliProcess.Result r = CliProcess.run(tmp, Map.of(), "report", run.root().toString());
        assertEquals(0, r.exitCode(), r.stderr());
        Path index = run.root().resolve("report").resolve("index.html");
        assertEquals(index.toString(), r.stdoutLines().getLast());
        assertTrue(Files.readString(index).contains("data-chart=\"negative-rate\""));
        assertTrue(Files.isRegularFile(run.root().resolve("report").resolve("summary.md")));
    }

    @Test
    void aDirectoryThatIsNoRunIsOneLineError() throws Exception {
        CliProcess.Result r = CliProcess.run(tmp, Map.of(), "report", "nowhere");
        assertEquals(2, r.exitCode(), r.stderr());
        var lines = r.stderr().lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
        assertEquals(java.util.List.of("error: nowhere: no such run directory"), lines);
    }
}
