package org.iteralign.core.download;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * The few Hugging Face hub calls we need: list a repository's files with their checksums
 * ({@code GET /api/models/REPO/tree/main}) and download one ({@code GET /REPO/resolve/main/PATH}). LFS files are
 * verified by their SHA-256, small files by their git blob id. A token in {@code $HF_TOKEN}, if set, is sent for
 * gated models and never logged.
 */
public final class HubClient {
    public static final URI DEFAULT_BASE = URI.create("https://huggingface.co");

    /** One file of a repository, with what it must hash to. */
    public record HubFile(String path, long size, FileDownload.Expected expected) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http;
    private final String token;

    public HubClient(URI base, HttpClient http, String token) {
        this.base = base;
        this.http = http;
        this.token = token;
    }

    public List<HubFile> listFiles(String repo) throws IOException {
        URI url = base.resolve("/api/models/" + repo + "/tree/main");
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(1)).GET();
        authorization().forEach(request::header);
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException | UnresolvedAddressException e) {
            throw new FileDownload.UnreachableException(url, e);
        } catch (IOException e) {
            if (e.getCause() instanceof UnresolvedAddressException || e.getCause() instanceof ConnectException) {
                throw new FileDownload.UnreachableException(url, e);
            }
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            throw new IOException("the hub refused access to " + repo + " (HTTP " + response.statusCode()
                    + "); for a gated model, accept its licence on the hub and export HF_TOKEN");
        }
        if (response.statusCode() == 404) throw new IOException("no model " + repo + " on the hub");
        if (response.statusCode() != 200) throw new IOException("HTTP " + response.statusCode() + " listing " + repo);
        List<HubFile> files = new ArrayList<>();
        JsonNode tree;
        try {
            tree = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IOException("the hub sent an unreadable file list for " + repo, e);
        }
        for (JsonNode entry : tree) {
            if (!"file".equals(entry.path("type").asText())) continue;
            long size = entry.path("size").asLong(-1);
            JsonNode lfs = entry.get("lfs");
            FileDownload.Expected expected = lfs != null
                    ? FileDownload.Expected.sha256(lfs.path("size").asLong(size), lfs.path("oid").asText())
                    : new FileDownload.Expected(size, "SHA-1-GIT", entry.path("oid").asText());
            files.add(new HubFile(entry.path("path").asText(), size, expected));
        }
        return files;
    }

    public URI fileUrl(String repo, String path) {
        return base.resolve("/" + repo + "/resolve/main/" + URLEncoder.encode(path, StandardCharsets.UTF_8).replace("%2F", "/"));
    }

    public void download(String repo, HubFile file, Path target, LongConsumer bytesDone) throws IOException {
        new FileDownload(http, authorization()).fetch(fileUrl(repo, file.path()), target, file.expected(), bytesDone);
    }

    private Map<String, String> authorization() {
        return token == null || token.isBlank() ? Map.of() : Map.of("Authorization", "Bearer " + token);
    }
}
