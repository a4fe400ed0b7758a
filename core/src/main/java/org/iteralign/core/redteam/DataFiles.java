package org.iteralign.core.redteam;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.iteralign.core.UserInputException;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Opens dataset files and turns their JSON into records with line numbers, so that every problem is reported as
 * {@code FILE:LINE: what is wrong} rather than as a parser stack trace.
 */
final class DataFiles {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A JSON value and the 1-based line it starts on. */
    record JsonRecord(int line, JsonNode value) {}

    private DataFiles() {}

    /**
     * A UTF-8 reader over the file, gunzipped when it starts with the gzip magic bytes: upstream names are not
     * reliable (a {@code .jsonl.gz} saved by a browser is often already decompressed). A leading BOM is dropped.
     */
    static BufferedReader open(Path file) {
        if (!Files.isRegularFile(file)) throw new UserInputException(file, "file not found");
        try {
            InputStream in = new BufferedInputStream(Files.newInputStream(file));
            in.mark(2);
            boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
            in.reset();
            if (gzip) in = new GZIPInputStream(in, 1 << 16);
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
            reader.mark(1);
            if (reader.read() != '\uFEFF') reader.reset();
            return reader;
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    static UserInputException cannotRead(Path file, IOException e) {
        return new UserInputException(file, "cannot read: " + e.getMessage());
    }

    static UserInputException invalidJson(Path file, JsonProcessingException e) {
        JsonLocation where = e.getLocation();
        int line = where == null ? 0 : Math.max(where.getLineNr(), 0);
        return new UserInputException(file, line, "invalid JSON: " + shortReason(e.getOriginalMessage()));
    }

    private static String shortReason(String message) {
        String first = message == null ? "unreadable" : message.lines().findFirst().orElse("unreadable");
        return first.length() > 160 ? first.substring(0, 160) + "..." : first;
    }

    /**
     * Each record of a file that is either JSON lines or one JSON array (both shapes circulate for the same
     * datasets), handed over one at a time so large files are never held whole. Blank lines are skipped.
     */
    static void forEachRecord(Path file, Consumer<JsonRecord> sink) {
        try (BufferedReader reader = open(file)) {
            reader.mark(1 << 16);
            int first = firstNonBlank(reader);
            reader.reset();
            if (first == '[') forEachArrayElement(file, reader, sink);
            else forEachLine(file, reader, sink);
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    private static int firstNonBlank(Reader reader) throws IOException {
        for (int i = 0; i < (1 << 16) - 1; i++) {
            int c = reader.read();
            if (c < 0 || !Character.isWhitespace(c)) return c;
        }
        return -1;
    }

    private static void forEachLine(Path file, BufferedReader reader, Consumer<JsonRecord> sink) throws IOException {
        int lineNo = 0;
        for (String line; (line = reader.readLine()) != null; ) {
            lineNo++;
            if (line.isBlank()) continue;
            JsonNode value;
            try {
                value = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new UserInputException(file, lineNo, "invalid JSON: " + shortReason(e.getOriginalMessage()));
            }
            sink.accept(new JsonRecord(lineNo, value));
        }
    }

    private static void forEachArrayElement(Path file, Reader reader, Consumer<JsonRecord> sink) throws IOException {
        try (JsonParser parser = JSON.createParser(reader)) {
            parser.nextToken();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                if (parser.currentToken() == null) throw new UserInputException(file, lineOf(parser), "invalid JSON: unexpected end of file");
                int line = lineOf(parser);
                sink.accept(new JsonRecord(line, parser.readValueAsTree()));
            }
        } catch (JsonProcessingException e) {
            throw invalidJson(file, e);
        }
    }

    static int lineOf(JsonParser parser) {
        return Math.max(parser.currentTokenLocation().getLineNr(), 0);
    }
}
