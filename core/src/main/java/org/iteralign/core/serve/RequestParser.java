package org.iteralign.core.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

import org.iteralign.core.embedded.EmbeddedChatModel;
import org.iteralign.core.model.ChatMessage;
import org.iteralign.core.model.ModelCallException;
import org.iteralign.core.model.Prompt;
import org.iteralign.engine.generate.SamplingParams;

/**
 * Reads the body of {@code /v1/chat/completions} and {@code /v1/completions} with OpenAI's field names, defaults
 * and ranges, and tokenizes the prompts; anything wrong is a {@link BadRequestException} naming the field. JSON
 * nulls count as absent, as the official clients send them; fields this server has no use for (user, metadata)
 * are ignored, as other compatible servers do, while ones whose meaning it would silently change (n, best_of,
 * suffix) are refused.
 */
final class RequestParser {
    /** OpenAI's limits: four stop strings, twenty alternatives per token. */
    private static final int MAX_STOPS = 4;
    private static final int MAX_TOP_LOGPROBS = 20;
    /** The legacy completions endpoint's default answer length. */
    private static final int TEXT_DEFAULT_MAX_TOKENS = 16;

    private final EmbeddedChatModel model;
    private final int context;

    RequestParser(EmbeddedChatModel model) {
        this.model = model;
        this.context = model.model().config().contextLength();
    }

    GenerationRequest chat(JsonNode body) {
        requireObject(body);
        List<ChatMessage> messages = messages(body.get("messages"));
        int[] prompt = tokenize(new Prompt.Chat(messages), "messages");
        boolean logprobs = bool(body, "logprobs", false);
        int top = integer(body, "top_logprobs", 0, MAX_TOP_LOGPROBS, 0);
        if (present(body, "top_logprobs") && !logprobs) {
            throw new BadRequestException("top_logprobs", "top_logprobs needs logprobs: true");
        }
        int maxTokens = present(body, "max_completion_tokens") ? integer(body, "max_completion_tokens", 1, Integer.MAX_VALUE, 0)
                : integer(body, "max_tokens", 1, Integer.MAX_VALUE, context);
        return common(body, GenerationRequest.Kind.CHAT, List.of(prompt), List.of(""), maxTokens, logprobs ? top : -1, false);
    }

    GenerationRequest completions(JsonNode body) {
        requireObject(body);
        if (present(body, "suffix")) throw new BadRequestException("suffix", "suffix (insertion) is not supported");
        if (integer(body, "best_of", 1, Integer.MAX_VALUE, 1) != 1) throw new BadRequestException("best_of", "best_of must be 1");
        List<int[]> prompts = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        readPrompts(body.get("prompt"), prompts, texts);
        int logprobs = present(body, "logprobs") ? integer(body, "logprobs", 0, MAX_TOP_LOGPROBS, 0) : -1;
        int maxTokens = integer(body, "max_tokens", 1, Integer.MAX_VALUE, TEXT_DEFAULT_MAX_TOKENS);
        return common(body, GenerationRequest.Kind.TEXT, prompts, texts, maxTokens, logprobs, bool(body, "echo", false));
    }

    private GenerationRequest common(JsonNode body, GenerationRequest.Kind kind, List<int[]> prompts, List<String> texts,
                                     int maxTokens, int logprobs, boolean echo) {
        if (present(body, "model") && !body.get("model").isTextual()) throw new BadRequestException("model", "model must be a string");
        if (integer(body, "n", 1, Integer.MAX_VALUE, 1) != 1) {
            throw new BadRequestException("n", "n must be 1: this server answers each prompt once");
        }
        double temperature = number(body, "temperature", 0, 2, 1);
        double topP = number(body, "top_p", 0, 1, 1);
        if (topP == 0) throw new BadRequestException("top_p", "top_p must be greater than 0");
        int topK = integer(body, "top_k", 0, Integer.MAX_VALUE, 0);
        double frequency = number(body, "frequency_penalty", -2, 2, 0);
        double presence = number(body, "presence_penalty", -2, 2, 0);
        boolean seeded = present(body, "seed");
        long seed = seeded ? longInteger(body, "seed") : 0;
        boolean stream = bool(body, "stream", false);
        boolean includeUsage = false;
        JsonNode options = body.get("stream_options");
        if (options != null && !options.isNull()) {
            if (!options.isObject()) throw new BadRequestException("stream_options", "stream_options must be an object");
            if (!stream) throw new BadRequestException("stream_options", "stream_options needs stream: true");
            includeUsage = bool(options, "include_usage", false);
        }
        SamplingParams sampling = new SamplingParams((float) temperature, (float) topP, topK, (float) frequency,
                (float) presence, seed);
        return new GenerationRequest(kind, prompts, texts, sampling, seeded, maxTokens, stops(body.get("stop")), stream,
                includeUsage, logprobs, echo);
    }

    private List<ChatMessage> messages(JsonNode node) {
        if (node == null || node.isNull()) throw new BadRequestException("messages", "messages is required");
        if (!node.isArray() || node.isEmpty()) throw new BadRequestException("messages", "messages must be a non-empty array");
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode m = node.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject()) throw new BadRequestException(where, where + " must be an object");
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual()) throw new BadRequestException(where + ".role", where + ".role must be a string");
            ChatMessage.Role r = switch (role.textValue()) {
                // "developer" is OpenAI's newer name for the system role.
                case "system", "developer" -> ChatMessage.Role.SYSTEM;
                case "user" -> ChatMessage.Role.USER;
                case "assistant" -> ChatMessage.Role.ASSISTANT;
                default -> throw new BadRequestException(where + ".role", "unsupported role '" + role.textValue()
                        + "' (system, developer, user and assistant are)");
            };
            out.add(new ChatMessage(r, content(m.get("content"), where + ".content")));
        }
        return out;
    }

    /** A string, or an array of text parts whose texts are joined. */
    private static String content(JsonNode node, String where) {
        if (node == null || node.isNull()) return "";
        if (node.isTextual()) return node.textValue();
        if (!node.isArray()) throw new BadRequestException(where, where + " must be a string or an array of text parts");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < node.size(); i++) {
            JsonNode part = node.get(i);
            if (!part.path("type").asText("").equals("text") || !part.path("text").isTextual()) {
                throw new BadRequestException(where + "[" + i + "]", "only text parts are supported ({\"type\": \"text\", \"text\": ...})");
            }
            text.append(part.get("text").textValue());
        }
        return text.toString();
    }

    /** A string, an array of strings, an array of token ids, or an array of arrays of token ids. */
    private void readPrompts(JsonNode node, List<int[]> prompts, List<String> texts) {
        if (node == null || node.isNull()) throw new BadRequestException("prompt", "prompt is required");
        if (node.isTextual()) {
            addText(node.textValue(), prompts, texts);
        } else if (node.isArray() && !node.isEmpty() && node.get(0).isIntegralNumber()) {
            addTokens(node, "prompt", prompts, texts);
        } else if (node.isArray() && !node.isEmpty()) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode item = node.get(i);
                if (item.isTextual()) addText(item.textValue(), prompts, texts);
                else if (item.isArray() && !item.isEmpty()) addTokens(item, "prompt[" + i + "]", prompts, texts);
                else throw new BadRequestException("prompt", "prompt[" + i + "] must be a string or a non-empty array of token ids");
            }
        } else {
            throw new BadRequestException("prompt", "prompt must be a string, an array of strings or an array of token ids");
        }
    }

    private void addText(String text, List<int[]> prompts, List<String> texts) {
        prompts.add(tokenize(Prompt.raw(text), "prompt"));
        texts.add(text);
    }

    private void addTokens(JsonNode ids, String where, List<int[]> prompts, List<String> texts) {
        int vocabulary = model.model().config().vocabularySize();
        int[] tokens = new int[ids.size()];
        for (int i = 0; i < tokens.length; i++) {
            JsonNode id = ids.get(i);
            if (!id.isIntegralNumber() || id.asLong() < 0 || id.asLong() >= vocabulary) {
                throw new BadRequestException("prompt", where + "[" + i + "] is not a token id (0 to " + (vocabulary - 1) + ")");
            }
            tokens[i] = id.intValue();
        }
        checkLength(tokens, "prompt");
        prompts.add(tokens);
        texts.add(model.tokenizer().decode(tokens));
    }

    private int[] tokenize(Prompt prompt, String param) {
        int[] ids;
        try {
            ids = model.tokenize(prompt);
        } catch (ModelCallException e) {
            throw new BadRequestException(param, e.getMessage());
        }
        if (ids.length == 0) ids = new int[] {model.tokenizer().bosId()};
        checkLength(ids, param);
        return ids;
    }

    private void checkLength(int[] ids, String param) {
        if (ids.length >= context) {
            throw new BadRequestException(param, String.format(Locale.ROOT, "This model's maximum context length is %d tokens, "
                    + "but the prompt has %d tokens, leaving no room for an answer", context, ids.length));
        }
    }

    private static List<String> stops(JsonNode node) {
        if (node == null || node.isNull()) return List.of();
        List<String> stops = new ArrayList<>();
        if (node.isTextual()) {
            stops.add(node.textValue());
        } else if (node.isArray()) {
            node.forEach(s -> stops.add(s.isTextual() ? s.textValue() : null));
        }
        if (stops.contains(null) || stops.size() > MAX_STOPS || stops.contains("")) {
            throw new BadRequestException("stop", "stop must be a non-empty string or an array of at most " + MAX_STOPS
                    + " non-empty strings");
        }
        return stops;
    }

    private static void requireObject(JsonNode body) {
        if (!body.isObject()) throw new BadRequestException(null, "the request body must be a JSON object");
    }

    private static boolean present(JsonNode body, String field) {
        return body.has(field) && !body.get(field).isNull();
    }

    private static boolean bool(JsonNode body, String field, boolean otherwise) {
        if (!present(body, field)) return otherwise;
        if (!body.get(field).isBoolean()) throw new BadRequestException(field, field + " must be true or false");
        return body.get(field).booleanValue();
    }

    private static double number(JsonNode body, String field, double min, double max, double otherwise) {
        if (!present(body, field)) return otherwise;
        JsonNode v = body.get(field);
        if (!v.isNumber() || !(v.doubleValue() >= min && v.doubleValue() <= max)) {
            throw new BadRequestException(field, field + " must be a number from " + min + " to " + max);
        }
        return v.doubleValue();
    }

    private static int integer(JsonNode body, String field, int min, int max, int otherwise) {
        if (!present(body, field)) return otherwise;
        JsonNode v = body.get(field);
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min || v.intValue() > max) {
            throw new BadRequestException(field, field + " must be an integer"
                    + (max == Integer.MAX_VALUE ? " of at least " + min : " from " + min + " to " + max));
        }
        return v.intValue();
    }

    private static long longInteger(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw new BadRequestException(field, field + " must be an integer");
        return v.longValue();
    }
}
