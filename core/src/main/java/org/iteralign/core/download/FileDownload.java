package org.iteralign.core.download;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Downloads one large file with resume and verification: bytes go to {@code FILE.part}; an interrupted download
 * continues from where it stopped with an HTTP {@code Range} request; the file gets its real name only once its
 * size and checksum match, so a file in the cache under its own name is always complete.
 */
public final class FileDownload {
    /** What the finished file must be; a null digest means "not known in advance" (it is then only measured). */
    public record Expected(long size, String algorithm, String digest) {
        public static Expected sha256(long size, String hex) {
            return new Expected(size, "SHA-256", hex);
        }
    }

    /** The host could not be reached at all (offline, DNS, refused): callers may try another source. */
    public static final class UnreachableException extends IOException {
        public UnreachableException(URI url, Throwable cause) {
            super("cannot reach " + url.getHost(), cause);
        }
    }

    private final HttpClient http;
    private final Map<String, String> headers;

    /** @param headers sent with every request (e.g. an Authorization header); never logged */
    public FileDownload(HttpClient http, Map<String, String> headers) {
        this.http = http;
        this.headers = Map.copyOf(headers);
    }

    public static HttpClient defaultClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(20)).build();
    }

    /**
     * Makes {@code target} hold the file at {@code url}. Returns at once when it is already there and valid.
     *
     * @param bytesDone told the number of bytes on disk as the download goes (for a progress bar)
     * @throws IOException with a message for the user on HTTP errors and checksum mismatches
     */
    public void fetch(URI url, Path target, Expected expected, LongConsumer bytesDone) throws IOException {
        if (Files.isRegularFile(target) && matches(target, expected)) return;
        Files.createDirectories(target.toAbsolutePath().getParent());
        Path part = target.resolveSibling(target.getFileName() + ".part");
        long have = Files.exists(part) ? Files.size(part) : 0;
        if (expected != null && expected.size() >= 0 && have > expected.size()) {
            Files.delete(part);
            have = 0;
        }
        if (expected == null || have < expected.size()) {
            HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(Duration.ofHours(2)).GET();
            if (have > 0) request.header("Range", "bytes=" + have + "-");
            headers.forEach(request::header);
            HttpResponse<InputStream> response = send(url, request.build());
            int status = response.statusCode();
            boolean append = status == 206;
            if (status != 200 && status != 206) {
                response.body().close();
                throw new IOException("HTTP " + status + " for " + url);
            }
            long written = append ? have : 0;
            try (InputStream in = response.body();
                 OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                         append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
                byte[] buffer = new byte[1 << 16];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    out.write(buffer, 0, n);
                    written += n;
                    bytesDone.accept(written);
                }
            }
        }
        if (!matches(part, expected)) {
            Files.delete(part);
            throw new IOException("the download of " + url + " does not match its checksum (" + expected.algorithm() + " "
                    + expected.digest() + "); the damaged file was removed, try again");
        }
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private HttpResponse<InputStream> send(URI url, HttpRequest request) throws IOException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException | HttpConnectTimeoutException | UnresolvedAddressException e) {
            throw new UnreachableException(url, e);
        } catch (IOException e) {
            if (e.getCause() instanceof UnresolvedAddressException || e.getCause() instanceof ConnectException) {
                throw new UnreachableException(url, e);
            }
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + url, e);
        }
    }

    static boolean matches(Path file, Expected expected) throws IOException {
        if (expected == null) return true;
        if (expected.size() >= 0 && Files.size(file) != expected.size()) return false;
        return expected.digest() == null || digest(file, expected.algorithm()).equals(expected.digest());
    }

    /** Hex SHA-256 of a file. */
    public static String sha256(Path file) throws IOException {
        return digest(file, "SHA-256");
    }

    /** Hex digest of a file. Git blob ids ("SHA-1-GIT") hash {@code "blob SIZE\0"} followed by the content. */
    static String digest(Path file, String algorithm) throws IOException {
        boolean gitBlob = algorithm.equals("SHA-1-GIT");
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(gitBlob ? "SHA-1" : algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("unknown digest " + algorithm, e);
        }
        if (gitBlob) md.update(("blob " + Files.size(file) + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
