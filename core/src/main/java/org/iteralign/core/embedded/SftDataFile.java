package org.iteralign.core.embedded;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.iteralign.core.UserInputException;
import org.iteralign.engine.chat.Message;
import org.iteralign.engine.train.ChatExample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads SFT data in the two layouts {@code SftExport} writes, told apart by content rather than by file name:
 * a JSON array (FastChat's ShareGPT, {@code [{"conversations": [{"from", "value"}]}]}) or JSON lines (OpenAI
 * chat, {@code {"messages": [{"role", "content"}]}} per line). Each record may use either key, so ShareGPT rows
 * written one per line read too. In a multi-turn conversation the last assistant turn is what the model learns
 * and every turn before it is the prompt. Any problem is a {@link UserInputException} naming the line.
 */
public final class SftDataFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;

    private SftDataFile(Path file) {
        this.file = file;
    }

    public static List<ChatExample> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UserInputException(file, "file not found");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') text = text.substring(1);
        String start = text.stripLeading();
        SftDataFile reader = new SftDataFile(file);
        List<ChatExample> examples;
        if (start.startsWith("[")) examples = reader.readArray(text);
        else if (start.startsWith("{")) examples = reader.readLines(text);
        else if (start.isEmpty()) throw new UserInputException(file, "empty file: expected ShareGPT JSON or OpenAI chat JSONL");
        else throw new UserInputException(file, lineOf(text, text.length() - start.length()),
                    "neither ShareGPT JSON (a list of {\"conversations\": [...]}) nor OpenAI chat JSONL ({\"messages\": [...]} per line)");
        if (examples.isEmpty()) throw new UserInputException(file, "holds no conversations");
        return examples;
    }

    /** A ShareGPT file: streamed so that each conversation's errors can name its line. */
    private List<ChatExample> readArray(String text) {
        List<ChatExample> out = new ArrayList<>();
        try (JsonParser p = new JsonFactory(JSON).createParser(text)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.START_OBJECT) {
                int line = p.currentTokenLocation().getLineNr();
                out.add(example(JSON.readTree(p), line));
            }
            if (p.currentToken() != JsonToken.END_ARRAY) {
                throw new UserInputException(file, p.currentTokenLocation().getLineNr(), "expected a conversation object, got "
                        + p.currentToken());
            }
            if (p.nextToken() != null) {
                throw new UserInputException(file, p.currentTokenLocation().getLineNr(), "text after the end of the list");
            }
        } catch (JsonProcessingException e) {
            throw new UserInputException(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                    "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private List<ChatExample> readLines(String text) {
        List<ChatExample> out = new ArrayList<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            JsonNode row;
            try {
                row = JSON.readTree(lines.get(i));
            } catch (JsonProcessingException e) {
                throw new UserInputException(file, i + 1, "not a JSON object on one line: " + e.getOriginalMessage());
            }
            out.add(example(row, i + 1));
        }
        return out;
    }

    private ChatExample example(JsonNode row, int line) {
        if (!row.isObject()) throw new UserInputException(file, line, "expected a JSON object");
        List<Message> turns;
        if (row.has("conversations")) turns = turns(row.get("conversations"), "from", "value", line);
        else if (row.has("messages")) turns = turns(row.get("messages"), "role", "content", line);
        else throw new UserInputException(file, line, "expected \"conversations\" (ShareGPT) or \"messages\" (OpenAI chat)");
        int reply = turns.size() - 1;
        while (reply >= 0 && !turns.get(reply).role().equals("assistant")) reply--;
        if (reply < 0) throw new UserInputException(file, line, "the conversation has no assistant turn to learn");
        if (reply == 0) throw new UserInputException(file, line, "the conversation starts with the assistant's turn: nothing to answer");
        return new ChatExample(turns.subList(0, reply), turns.get(reply).content());
    }

    private List<Message> turns(JsonNode list, String roleKey, String textKey, int line) {
        if (!list.isArray()) throw new UserInputException(file, line, "expected a list of turns");
        List<Message> turns = new ArrayList<>();
        for (JsonNode turn : list) {
            JsonNode who = turn.get(roleKey);
            JsonNode text = turn.get(textKey);
            if (who == null || !who.isTextual() || text == null || !text.isTextual()) {
                throw new UserInputException(file, line, "turn " + (turns.size() + 1) + " needs string fields \"" + roleKey
                        + "\" and \"" + textKey + "\"");
            }
            String role = switch (who.asText()) {
                case "human", "user" -> "user";
                case "gpt", "assistant" -> "assistant";
                case "system" -> "system";
                default -> throw new UserInputException(file, line, "turn " + (turns.size() + 1) + ": unknown " + roleKey
                        + " '" + who.asText() + "' (expected human, gpt or system; or user, assistant or system)");
            };
            turns.add(new Message(role, text.asText()));
        }
        return turns;
    }

    private static int lineOf(String text, int offset) {
        return (int) text.substring(0, offset).chars().filter(c -> c == '\n').count() + 1;
    }
}
