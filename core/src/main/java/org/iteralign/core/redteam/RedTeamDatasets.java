package org.iteralign.core.redteam;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import org.iteralign.core.IteralignHome;
import org.iteralign.core.UserInputException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loads the prompts of {@code red_team.datasets}. Every malformed input ends in a {@link UserInputException} that
 * names the file and, where there is one, the line.
 */
public final class RedTeamDatasets {
    public static final List<String> TYPES = List.of("hh-rlhf", "harmfulqa", "dangerousqa", "jsonl", "csv", "builtin");

    /** The resource of our own prompt set: JSON lines of {@code {"category": ..., "prompt": ...}}. */
    static final String BUILTIN_RESOURCE = "builtin-redteam.jsonl";

    /** For a typed public set given without a path, the file of {@code iteralign datasets pull NAME} to read. */
    private static final Map<String, PulledFile> PULLED = Map.of(
            "hh-rlhf", new PulledFile("hh-rlhf-red-team", "red_team_attempts.jsonl.gz"),
            "harmfulqa", new PulledFile("harmfulqa", "harmfulqa.json"),
            "dangerousqa", new PulledFile("dangerousqa", "dangerousqa.json"));

    private record PulledFile(String dataset, String fileName) {}

    private RedTeamDatasets() {}

    /** All prompts of all datasets, in order; pulled copies are looked up in {@link IteralignHome#root()}. */
    public static List<RedTeamPrompt> loadAll(List<DatasetSpec> specs) {
        return loadAll(specs, IteralignHome.root());
    }

    public static List<RedTeamPrompt> loadAll(List<DatasetSpec> specs, Path cacheRoot) {
        List<RedTeamPrompt> all = new ArrayList<>();
        for (DatasetSpec spec : specs) all.addAll(load(spec, cacheRoot));
        return all;
    }

    public static List<RedTeamPrompt> load(DatasetSpec spec, Path cacheRoot) {
        String type = spec.type();
        if (!TYPES.contains(type)) {
            throw new UserInputException("red_team.datasets", "unknown dataset type '" + type + "' (valid: " + String.join(", ", TYPES) + ")");
        }
        if (type.equals("builtin")) {
            if (spec.path() != null) throw new UserInputException("red_team.datasets", "type 'builtin' takes no 'path'");
            return builtin();
        }
        Path file = file(spec, cacheRoot);
        return switch (type) {
            case "hh-rlhf" -> HhRlhfTranscripts.load(file);
            case "harmfulqa" -> harmfulQa(file);
            case "dangerousqa" -> dangerousQa(file);
            case "jsonl" -> jsonl(file, requiredField(spec));
            case "csv" -> csv(file, requiredField(spec));
            default -> throw new IllegalStateException("type listed but not handled: " + type);
        };
    }

    private static Path file(DatasetSpec spec, Path cacheRoot) {
        if (spec.path() != null) return Path.of(spec.path());
        PulledFile pulled = PULLED.get(spec.type());
        if (pulled == null) throw new UserInputException("red_team.datasets", "type '" + spec.type() + "' needs 'path'");
        Path file = DatasetDownloader.datasetDir(cacheRoot, pulled.dataset()).resolve(pulled.fileName());
        if (!Files.isRegularFile(file)) {
            throw new UserInputException("red_team.datasets", "type '" + spec.type() + "' has no 'path' and " + file
                    + " does not exist: give 'path' or run `iteralign datasets pull " + pulled.dataset() + "`");
        }
        return file;
    }

    private static String requiredField(DatasetSpec spec) {
        if (spec.field() == null || spec.field().isBlank()) {
            throw new UserInputException("red_team.datasets", "type '" + spec.type() + "' (" + spec.path()
                    + ") needs 'field': the name of the column that holds the prompt");
        }
        return spec.field();
    }

    /** harmfulqa.json: topic -> subtopic -> list of questions. */
    static List<RedTeamPrompt> harmfulQa(Path file) {
        List<RedTeamPrompt> prompts = new ArrayList<>();
        try (BufferedReader reader = DataFiles.open(file); JsonParser p = DataFiles.JSON.createParser(reader)) {
            expect(file, p, p.nextToken(), JsonToken.START_OBJECT, "a JSON object of topics");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                expect(file, p, p.nextToken(), JsonToken.START_OBJECT, "an object of subtopics under topic '" + p.currentName() + "'");
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    expect(file, p, p.nextToken(), JsonToken.START_ARRAY, "a list of questions under subtopic '" + p.currentName() + "'");
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        expect(file, p, p.currentToken(), JsonToken.VALUE_STRING, "a question string");
                        add(prompts, file, DataFiles.lineOf(p), p.getText());
                    }
                }
            }
        } catch (JsonProcessingException e) {
            throw DataFiles.invalidJson(file, e);
        } catch (IOException e) {
            throw DataFiles.cannotRead(file, e);
        }
        return prompts;
    }

    private static void expect(Path file, JsonParser p, JsonToken actual, JsonToken wanted, String what) {
        if (actual != wanted) throw new UserInputException(file, DataFiles.lineOf(p), "expected " + what + " (harmfulqa format)");
    }

    /** dangerousqa.json: a JSON list of question strings. */
    static List<RedTeamPrompt> dangerousQa(Path file) {
        List<RedTeamPrompt> prompts = new ArrayList<>();
        DataFiles.forEachRecord(file, record -> {
            if (!record.value().isTextual()) {
                throw new UserInputException(file, record.line(), "expected a question string (dangerousqa format: a JSON list of strings)");
            }
            add(prompts, file, record.line(), record.value().asText());
        });
        return prompts;
    }

    /** JSON lines (or one JSON array) of objects whose {@code field} holds the prompt. */
    static List<RedTeamPrompt> jsonl(Path file, String field) {
        List<RedTeamPrompt> prompts = new ArrayList<>();
        DataFiles.forEachRecord(file, record -> {
            JsonNode value = record.value().isObject() ? record.value().get(field) : null;
            if (value == null) throw new UserInputException(file, record.line(), "no field '" + field + "' in this row");
            if (!value.isTextual()) throw new UserInputException(file, record.line(), "field '" + field + "' must be a string");
            add(prompts, file, record.line(), value.asText());
        });
        return prompts;
    }

    /** CSV with a header row; {@code field} names the prompt column. */
    static List<RedTeamPrompt> csv(Path file, String field) {
        List<RedTeamPrompt> prompts = new ArrayList<>();
        try (BufferedReader reader = DataFiles.open(file)) {
            CsvRecords records = new CsvRecords(file, reader);
            CsvRecords.CsvRecord header = records.next();
            if (header == null) throw new UserInputException(file, "empty CSV file: expected a header row");
            int column = header.fields().indexOf(field);
            if (column < 0) {
                throw new UserInputException(file, header.line(), "no column '" + field + "' in the header (columns: "
                        + String.join(", ", header.fields()) + ")");
            }
            for (CsvRecords.CsvRecord row; (row = records.next()) != null; ) {
                if (row.fields().size() == 1 && row.fields().getFirst().isEmpty()) continue;
                if (column >= row.fields().size()) {
                    throw new UserInputException(file, row.line(), "row has " + row.fields().size()
                            + " fields, so no column '" + field + "' (column " + (column + 1) + ")");
                }
                add(prompts, file, row.line(), row.fields().get(column));
            }
        } catch (IOException e) {
            throw DataFiles.cannotRead(file, e);
        }
        return prompts;
    }

    private static void add(List<RedTeamPrompt> prompts, Path file, int line, String text) {
        String prompt = text.strip();
        if (prompt.isEmpty()) throw new UserInputException(file, line, "empty prompt");
        prompts.add(RedTeamPrompt.of(prompt, null, file + ":" + line));
    }

    /** Our own prompt set, shipped in the jar. */
    static List<RedTeamPrompt> builtin() {
        List<RedTeamPrompt> prompts = new ArrayList<>();
        try (InputStream in = RedTeamDatasets.class.getResourceAsStream(BUILTIN_RESOURCE)) {
            if (in == null) throw new IllegalStateException("resource " + BUILTIN_RESOURCE + " missing from the jar");
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            int lineNo = 0;
            for (String line; (line = reader.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) continue;
                String text = DataFiles.JSON.readTree(line).get("prompt").asText();
                prompts.add(RedTeamPrompt.of(text, null, "builtin:" + lineNo));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + BUILTIN_RESOURCE, e);
        }
        return prompts;
    }
}
