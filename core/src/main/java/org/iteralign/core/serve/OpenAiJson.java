package org.iteralign.core.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.iteralign.engine.tokenizer.Tokenizer;

/**
 * The JSON objects of OpenAI's API as this server writes them: answers ({@code chat.completion},
 * {@code text_completion}), streamed chunks ({@code chat.completion.chunk}), the model list and errors.
 */
final class OpenAiJson {
    static final ObjectMapper JSON = new ObjectMapper();

    private final String model;
    private final Tokenizer tokenizer;

    /** @param model the id answers name, the spec the server was started with */
    OpenAiJson(String model, Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    ObjectNode models(long created) {
        ObjectNode list = JSON.createObjectNode().put("object", "list");
        list.putArray("data").addObject().put("id", model).put("object", "model").put("created", created).put("owned_by", "iteralign");
        return list;
    }

    /** OpenAI's error body: {@code {"error": {"message", "type", "param", "code"}}}. */
    static ObjectNode error(String message, String type, String param) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("message", message).put("type", type).put("param", param).putNull("code");
        return body;
    }

    /** The whole answer of a request that did not stream. */
    ObjectNode answer(GenerationRequest request, String id, long created, Job.Finished finished) {
        boolean chat = request.kind() == GenerationRequest.Kind.CHAT;
        ObjectNode body = header(id, chat ? "chat.completion" : "text_completion", created);
        ArrayNode choices = body.putArray("choices");
        for (int i = 0; i < finished.choices().size(); i++) {
            Job.Choice c = finished.choices().get(i);
            ObjectNode choice = choices.addObject().put("index", i);
            if (chat) {
                choice.putObject("message").put("role", "assistant").put("content", c.text());
            } else {
                choice.put("text", request.echo() ? request.promptTexts().get(i) + c.text() : c.text());
            }
            choice.set("logprobs", logprobs(request, c));
            choice.put("finish_reason", c.finishReason());
        }
        body.set("usage", usage(finished));
        return body;
    }

    /** The first chunk of a streamed chat answer: the role, no text yet. */
    ObjectNode roleChunk(String id, long created, int choice) {
        ObjectNode chunk = header(id, "chat.completion.chunk", created);
        ObjectNode c = chunk.putArray("choices").addObject().put("index", choice);
        c.putObject("delta").put("role", "assistant").put("content", "");
        c.putNull("logprobs");
        c.putNull("finish_reason");
        return chunk;
    }

    /** A streamed piece of one choice's text; with {@code finished} (null while it goes on) its last chunk. */
    ObjectNode chunk(GenerationRequest request, String id, long created, int choice, String text, Job.Choice finished) {
        boolean chat = request.kind() == GenerationRequest.Kind.CHAT;
        ObjectNode chunk = header(id, chat ? "chat.completion.chunk" : "text_completion", created);
        ObjectNode c = chunk.putArray("choices").addObject().put("index", choice);
        if (chat) {
            ObjectNode delta = c.putObject("delta");
            if (!text.isEmpty()) delta.put("content", text);
        } else {
            c.put("text", text);
        }
        if (finished == null) {
            c.putNull("logprobs");
            c.putNull("finish_reason");
        } else {
            c.set("logprobs", logprobs(request, finished));
            c.put("finish_reason", finished.finishReason());
        }
        return chunk;
    }

    /** The closing chunk {@code stream_options.include_usage} asks for: no choices, the usage. */
    ObjectNode usageChunk(GenerationRequest request, String id, long created, Job.Finished finished) {
        ObjectNode chunk = header(id, request.kind() == GenerationRequest.Kind.CHAT ? "chat.completion.chunk" : "text_completion", created);
        chunk.putArray("choices");
        chunk.set("usage", usage(finished));
        return chunk;
    }

    static ObjectNode usage(Job.Finished finished) {
        long prompt = finished.choices().stream().mapToLong(c -> c.prompt().length).sum();
        long completion = finished.choices().stream().mapToLong(c -> c.completion().length).sum();
        return JSON.createObjectNode().put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
    }

    private ObjectNode header(String id, String object, long created) {
        return JSON.createObjectNode().put("id", id).put("object", object).put("created", created).put("model", model);
    }

    private ObjectNode logprobs(GenerationRequest request, Job.Choice c) {
        if (c.scores() == null) return null;
        return request.kind() == GenerationRequest.Kind.CHAT ? chatLogprobs(c) : textLogprobs(request, c);
    }

    /** {@code {"content": [{token, logprob, bytes, top_logprobs}]}} for the answer's tokens. */
    private ObjectNode chatLogprobs(Job.Choice c) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode content = out.putArray("content");
        for (int i = 0; i < c.completion().length; i++) {
            TokenLogprobs.Scored s = c.scores().get(c.prompt().length - 1 + i);
            ObjectNode token = tokenEntry(content.addObject(), s.token(), s.logprob());
            ArrayNode top = token.putArray("top_logprobs");
            for (TokenLogprobs.Alternative a : s.top()) tokenEntry(top.addObject(), a.token(), a.logprob());
        }
        return out;
    }

    private ObjectNode tokenEntry(ObjectNode entry, int token, double logprob) {
        entry.put("token", tokenizer.decodePiece(token)).put("logprob", logprob);
        ArrayNode bytes = entry.putArray("bytes");
        for (byte b : tokenizer.tokenBytes(token)) bytes.add(b & 0xFF);
        return entry;
    }

    /**
     * The legacy layout: parallel arrays {@code tokens}, {@code token_logprobs}, {@code top_logprobs} (a map per
     * token) and {@code text_offset}, in Unicode code points from the start of the prompt as Python counts them.
     * With echo the prompt's tokens come first; the very first has nothing before it, so its values are null. A
     * BOS token the model adds is not part of the text and is left out.
     */
    private ObjectNode textLogprobs(GenerationRequest request, Job.Choice c) {
        int skip = c.prompt().length > 0 && tokenizer.addBos() && c.prompt()[0] == tokenizer.bosId() ? 1 : 0;
        int total = c.prompt().length + c.completion().length;
        int from = request.echo() ? skip : c.prompt().length;
        ObjectNode out = JSON.createObjectNode();
        ArrayNode tokens = out.putArray("tokens");
        ArrayNode values = out.putArray("token_logprobs");
        ArrayNode tops = out.putArray("top_logprobs");
        ArrayNode offsets = out.putArray("text_offset");
        long codePoints = 0;
        for (int p = skip; p < total; p++) {
            int token = p < c.prompt().length ? c.prompt()[p] : c.completion()[p - c.prompt().length];
            byte[] bytes = tokenizer.tokenBytes(token);
            if (p >= from) {
                tokens.add(tokenizer.decodePiece(token));
                offsets.add(codePoints);
                if (p == 0) {
                    values.addNull();
                    tops.addNull();
                } else {
                    TokenLogprobs.Scored s = c.scores().get(p - 1);
                    values.add(s.logprob());
                    ObjectNode top = tops.addObject();
                    for (TokenLogprobs.Alternative a : s.top()) top.put(tokenizer.decodePiece(a.token()), a.logprob());
                }
            }
            codePoints += characterStarts(bytes);
        }
        return out;
    }

    /** UTF-8 bytes that begin a character: counting them counts code points even when a token splits one. */
    private static int characterStarts(byte[] bytes) {
        int n = 0;
        for (byte b : bytes) if ((b & 0xC0) != 0x80) n++;
        return n;
    }
}
