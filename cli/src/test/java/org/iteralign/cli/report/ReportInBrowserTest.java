package org.iteralign.cli.report;

import org.iteralign.core.pipeline.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The report in a real browser: Debian's headless chromium loads the page from disk, logs nothing to the console
 * (the page itself never logs, so any console line is an error or a warning about it), keeps every chart after
 * its script ran, and paints them. The screenshot is kept under the module's build folder for people to look at.
 */
class ReportInBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @TempDir
    Path tmp;

    @Test
    void pageLoadsCleanlyAndDrawsItsCharts() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "chromium is not installed at " + CHROMIUM + " (apt-get install -y chromium)");
        RunDirectory run = RunFixture.run(tmp, true);
        RunFixture.addEvaluations(run, 3);
        RunFixture.addTrainingMetrics(run, 3);
        Path page = RunReport.write(run);
        String html = Files.readString(page);

        Browser dom = chromium(page, "--dump-dom");
        List<String> console = dom.stderr().lines().filter(l -> l.contains(":CONSOLE") || l.contains("Uncaught")).toList();
        assertEquals(List.of(), console, "console output while loading the report");
        assertEquals(count(html, "<svg class=\"chart\""), count(dom.stdout(), "<svg class=\"chart\""), "charts in the live DOM");
        assertEquals(count(html, "class=\"strip\""), count(dom.stdout(), "class=\"strip\""), "timeline rows in the live DOM");
        assertTrue(count(dom.stdout(), "<svg class=\"chart\"") >= 8, dom.stdout());

        Path screenshot = buildDir().resolve("report-screenshots").resolve("report.png");
        Files.createDirectories(screenshot.getParent());
        Files.deleteIfExists(screenshot);
        chromium(page, "--screenshot=" + screenshot, "--window-size=1280,2000", "--hide-scrollbars");
        BufferedImage image = ImageIO.read(screenshot.toFile());
        assertEquals(1280, image.getWidth());
        assertTrue(pixels(image, 0xD55E00) > 300, "the 'before' bars are painted");
        assertTrue(pixels(image, 0x0072B2) > 300, "the 'after' bars and eval lines are painted");
    }

    private record Browser(String stdout, String stderr) {}

    private Browser chromium(Path page, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(tmp, "profile"),
                "--enable-logging=stderr", "--v=0"));
        command.addAll(List.of(args));
        command.add(page.toUri().toString());
        Path out = Files.createTempFile(tmp, "chromium", ".out");
        Path err = Files.createTempFile(tmp, "chromium", ".err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 3 minutes: " + Files.readString(err));
        }
        assertEquals(0, p.exitValue(), Files.readString(err));
        return new Browser(Files.readString(out), Files.readString(err));
    }

    /** The module's build folder (target, or the one -Diteralign.buildDir chose): the parent of test-classes. */
    private static Path buildDir() throws Exception {
        return Path.of(ReportInBrowserTest.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
    }

    private static int count(String text, String needle) {
        return text.split(java.util.regex.Pattern.quote(needle), -1).length - 1;
    }

    private static long pixels(BufferedImage image, int rgb) {
        long n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) if ((image.getRGB(x, y) & 0xFFFFFF) == rgb) n++;
        }
        return n;
    }
}
