package org.iteralign.core.redteam;

import com.sun.net.httpserver.HttpServer;
import org.iteralign.core.UserInputException;
import org.iteralign.core.redteam.DatasetCatalog.PublicDataset;
import org.iteralign.core.redteam.DatasetCatalog.RemoteFile;
import org.iteralign.core.redteam.DatasetDownloader.Outcome;
import org.iteralign.core.redteam.DatasetDownloader.PulledFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pulls from a scripted HTTP server on the loopback interface, standing in for the upstream hosts. */
class DatasetDownloaderTest {
    private static final byte[] QUESTIONS = "[\"q1\", \"q2\"]".getBytes(StandardCharsets.UTF_8);
    private static final byte[] TASK = "{\"examples\": []}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path cache;

    private HttpServer server;
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body = served.get(exchange.getRequestURI().getPath());
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
        served.put("/repo/commit/questions.json", QUESTIONS);
        served.put("/bench/main/harmless/task.json", TASK);
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private DatasetCatalog catalog() throws Exception {
        return new DatasetCatalog(List.of(
                new PublicDataset("questions", "test questions", List.of(new RemoteFile("questions.json",
                        URI.create("https://upstream.invalid/repo/commit/questions.json"), QUESTIONS.length, sha256(QUESTIONS)))),
                new PublicDataset("bench", "unpinned test task", List.of(RemoteFile.unpinned("harmless/task.json",
                        "https://upstream.invalid/bench/main/harmless/task.json")))));
    }

    private DatasetDownloader downloader() throws Exception {
        return new DatasetDownloader(catalog(), URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
    }

    private List<Path> filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Test
    void downloadsVerifiesAndPlacesTheFile() throws Exception {
        List<PulledFile> pulled = downloader().pull("questions", cache);
        Path target = cache.resolve("datasets/questions/questions.json");
        assertEquals(List.of(new PulledFile(target, Outcome.DOWNLOADED, QUESTIONS.length, sha256(QUESTIONS))), pulled);
        assertEquals(new String(QUESTIONS, StandardCharsets.UTF_8), Files.readString(target));
        assertEquals(List.of(target), filesIn(cache), "no temporary files left behind");
    }

    @Test
    void aFilePresentAndValidIsNotFetchedAgainButACorruptOneIs() throws Exception {
        DatasetDownloader downloader = downloader();
        downloader.pull("questions", cache);
        int afterFirst = requests.get();
        assertEquals(Outcome.ALREADY_PRESENT, downloader.pull("questions", cache).getFirst().outcome());
        assertEquals(afterFirst, requests.get());

        Path target = cache.resolve("datasets/questions/questions.json");
        Files.writeString(target, "[\"q1\", \"q3\"]");
        assertEquals(Outcome.DOWNLOADED, downloader.pull("questions", cache).getFirst().outcome());
        assertEquals(afterFirst + 1, requests.get());
        assertEquals(new String(QUESTIONS, StandardCharsets.UTF_8), Files.readString(target));
    }

    @Test
    void checksumMismatchKeepsNothing() throws Exception {
        served.put("/repo/commit/questions.json", "[\"tampered\"]".getBytes(StandardCharsets.UTF_8));
        UserInputException e = assertThrows(UserInputException.class, () -> downloader().pull("questions", cache));
        assertEquals("questions", e.source());
        assertTrue(e.getMessage().startsWith("checksum mismatch for http://127.0.0.1:"), e.getMessage());
        assertTrue(e.getMessage().endsWith("the download was not kept"), e.getMessage());
        assertEquals(List.of(), filesIn(cache));
    }

    @Test
    void anUnpinnedFileIsTrustedOnFirstUseAndCheckedAfterwards() throws Exception {
        DatasetDownloader downloader = downloader();
        PulledFile first = downloader.pull("bench", cache).getFirst();
        Path target = cache.resolve("datasets/bench/harmless/task.json");
        assertEquals(new PulledFile(target, Outcome.DOWNLOADED, TASK.length, sha256(TASK)), first);
        assertEquals(sha256(TASK) + " " + TASK.length + "\n",
                Files.readString(target.resolveSibling("task.json" + DatasetDownloader.RECORD_SUFFIX)));
        assertEquals(Outcome.ALREADY_PRESENT, downloader.pull("bench", cache).getFirst().outcome());

        served.put("/bench/main/harmless/task.json", "{\"examples\": [1]}".getBytes(StandardCharsets.UTF_8));
        Files.delete(target);
        UserInputException e = assertThrows(UserInputException.class, () -> downloader.pull("bench", cache));
        assertTrue(e.getMessage().startsWith("checksum mismatch"), e.getMessage());
        assertFalse(Files.exists(target));
    }

    @Test
    void anUnpinnedFileSavedByHandIsRecordedWithoutAnyDownload() throws Exception {
        Path target = cache.resolve("datasets/bench/harmless/task.json");
        Files.createDirectories(target.getParent());
        Files.write(target, TASK);
        server.stop(0);
        assertEquals(List.of(new PulledFile(target, Outcome.ALREADY_PRESENT, TASK.length, sha256(TASK))), downloader().pull("bench", cache));
        assertEquals(0, requests.get());
        assertEquals(sha256(TASK) + " " + TASK.length + "\n",
                Files.readString(target.resolveSibling("task.json" + DatasetDownloader.RECORD_SUFFIX)));
    }

    @Test
    void anUnreachableHostSaysHowToDownloadByHand() throws Exception {
        DatasetDownloader downloader = downloader();
        String port = String.valueOf(server.getAddress().getPort());
        server.stop(0);
        UserInputException e = assertThrows(UserInputException.class, () -> downloader.pull("questions", cache));
        assertEquals("cannot reach 127.0.0.1 (offline?): download http://127.0.0.1:" + port
                + "/repo/commit/questions.json by hand and save it as " + cache.resolve("datasets/questions/questions.json"),
                e.getMessage());
        assertEquals(List.of(), filesIn(cache));
    }

    @Test
    void anHttpErrorIsReportedWithItsStatus() throws Exception {
        served.clear();
        UserInputException e = assertThrows(UserInputException.class, () -> downloader().pull("questions", cache));
        assertTrue(e.getMessage().endsWith("failed: HTTP 404"), e.getMessage());
        assertEquals(List.of(), filesIn(cache));
    }

    @Test
    void listShowsWhatTheCacheHolds() throws Exception {
        DatasetDownloader downloader = downloader();
        assertEquals(List.of(0, 0), downloader.list(cache).stream().map(DatasetDownloader.CachedDataset::filesPresent).toList());
        downloader.pull("bench", cache);
        List<DatasetDownloader.CachedDataset> listed = downloader.list(cache);
        assertEquals(List.of("questions", "bench"), listed.stream().map(c -> c.dataset().name()).toList());
        assertFalse(listed.get(0).complete());
        assertTrue(listed.get(1).complete());
        assertEquals(cache.resolve("datasets/bench"), listed.get(1).dir());
    }

    @Test
    void anUnknownNameListsTheKnownOnes() throws Exception {
        UserInputException e = assertThrows(UserInputException.class, () -> downloader().pull("imagenet", cache));
        assertEquals("unknown dataset (known: questions, bench)", e.getMessage());
        assertEquals(0, requests.get());
    }
}
