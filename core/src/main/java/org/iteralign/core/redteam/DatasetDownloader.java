package org.iteralign.core.redteam;

import org.iteralign.core.UserInputException;
import org.iteralign.core.download.FileDownload;
import org.iteralign.core.redteam.DatasetCatalog.PublicDataset;
import org.iteralign.core.redteam.DatasetCatalog.RemoteFile;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Fetches the files of a {@link DatasetCatalog} entry into {@code <cacheRoot>/datasets/<name>/}. A file is written
 * to a temporary name and moved into place only once its size and SHA-256 check out, so an interrupted or
 * corrupted download never leaves a file that looks valid. Files already present and valid are not fetched again.
 */
public final class DatasetDownloader {
    /** Where an unpinned file's checksum is recorded on first download: {@code <file>.sha256}. */
    static final String RECORD_SUFFIX = ".sha256";

    private final DatasetCatalog catalog;
    private final HttpClient http;
    private final URI baseOverride;

    public enum Outcome { DOWNLOADED, ALREADY_PRESENT }

    public record PulledFile(Path path, Outcome outcome, long size, String sha256) {}

    /** What {@code datasets list} shows: how many of a catalogue entry's files are in the cache. */
    public record CachedDataset(PublicDataset dataset, Path dir, int filesPresent) {
        public boolean complete() {
            return filesPresent == dataset.files().size();
        }
    }

    public DatasetDownloader() {
        this(DatasetCatalog.standard(), null);
    }

    /**
     * @param baseOverride when not null, every file is fetched from this scheme, host and port instead of its
     *                     upstream one, keeping the path (a mirror, or a local server in tests)
     */
    public DatasetDownloader(DatasetCatalog catalog, URI baseOverride) {
        this.catalog = catalog;
        this.baseOverride = baseOverride;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(20))
                .build();
    }

    public static Path datasetDir(Path cacheRoot, String name) {
        return cacheRoot.resolve("datasets").resolve(name);
    }

    /** Makes every file of dataset {@code name} present and verified in the cache. */
    public List<PulledFile> pull(String name, Path cacheRoot) {
        PublicDataset dataset = catalog.find(name);
        Path dir = datasetDir(cacheRoot, name);
        List<PulledFile> pulled = new ArrayList<>();
        for (RemoteFile file : dataset.files()) pulled.add(pullFile(name, dir, file));
        return pulled;
    }

    /** Every catalogue entry with how many of its files the cache holds (presence only; {@link #pull} verifies). */
    public List<CachedDataset> list(Path cacheRoot) {
        return catalog.datasets().stream().map(d -> {
            Path dir = datasetDir(cacheRoot, d.name());
            int present = (int) d.files().stream().filter(f -> Files.isRegularFile(dir.resolve(f.fileName()))).count();
            return new CachedDataset(d, dir, present);
        }).toList();
    }

    private PulledFile pullFile(String name, Path dir, RemoteFile file) {
        Path target = dir.resolve(file.fileName());
        Path record = target.resolveSibling(target.getFileName() + RECORD_SUFFIX);
        Expected expected = file.pinned() ? new Expected(file.size(), file.sha256()) : readRecord(name, record);
        try {
            if (Files.isRegularFile(target)) {
                long size = Files.size(target);
                String sha = FileDownload.sha256(target);
                if (expected == null) {
                    // An unpinned file put there by hand (the advice when offline) is trusted like a first download.
                    writeRecord(record, sha, size);
                    return new PulledFile(target, Outcome.ALREADY_PRESENT, size, sha);
                }
                if (size == expected.size() && sha.equals(expected.sha256())) {
                    return new PulledFile(target, Outcome.ALREADY_PRESENT, size, sha);
                }
            }
            Files.createDirectories(target.getParent());
            Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".part");
            try {
                URI url = source(file.url());
                download(name, url, temp, target);
                long size = Files.size(temp);
                String sha = FileDownload.sha256(temp);
                if (expected != null && (size != expected.size() || !sha.equals(expected.sha256()))) {
                    throw new UserInputException(name, "checksum mismatch for " + url + ": expected " + expected.size()
                            + " bytes with sha256 " + expected.sha256() + ", got " + size + " bytes with sha256 " + sha
                            + "; the download was not kept");
                }
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                if (expected == null) writeRecord(record, sha, size);
                return new PulledFile(target, Outcome.DOWNLOADED, size, sha);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UserInputException(target.toString(), "cannot write the dataset cache: " + e.getMessage());
        }
    }

    private record Expected(long size, String sha256) {}

    private static void writeRecord(Path record, String sha256, long size) throws IOException {
        Files.writeString(record, sha256 + " " + size + "\n", StandardCharsets.UTF_8);
    }

    /** The checksum recorded on first download, or null when the file has never been downloaded. */
    private static Expected readRecord(String name, Path record) {
        if (!Files.isRegularFile(record)) return null;
        try {
            String[] parts = Files.readString(record, StandardCharsets.UTF_8).strip().split(" ");
            return new Expected(Long.parseLong(parts[1]), parts[0]);
        } catch (IOException | RuntimeException e) {
            throw new UserInputException(record.toString(), 1, "unreadable checksum record (expected 'SHA256 SIZE'); delete it to download "
                    + name + " afresh");
        }
    }

    private void download(String name, URI url, Path temp, Path target) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(30)).GET().build();
        HttpResponse<Path> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofFile(temp));
        } catch (ConnectException | HttpConnectTimeoutException | UnresolvedAddressException e) {
            throw unreachable(name, url, target);
        } catch (IOException e) {
            if (e.getCause() instanceof UnresolvedAddressException || e.getCause() instanceof ConnectException) {
                throw unreachable(name, url, target);
            }
            throw new UserInputException(name, "download of " + url + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserInputException(name, "download of " + url + " was interrupted");
        }
        if (response.statusCode() != 200) {
            throw new UserInputException(name, "download of " + url + " failed: HTTP " + response.statusCode());
        }
    }

    private static UserInputException unreachable(String name, URI url, Path target) {
        return new UserInputException(name, "cannot reach " + url.getHost() + " (offline?): download " + url
                + " by hand and save it as " + target);
    }

    private URI source(URI upstream) {
        if (baseOverride == null) return upstream;
        try {
            return new URI(baseOverride.getScheme(), null, baseOverride.getHost(), baseOverride.getPort(),
                    upstream.getPath(), upstream.getQuery(), null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("bad base URL " + baseOverride, e);
        }
    }

}
