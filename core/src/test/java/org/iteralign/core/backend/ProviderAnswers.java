package org.iteralign.core.backend;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Well-formed answer bodies as the providers send them, for scripted servers. */
final class ProviderAnswers {
    private ProviderAnswers() {}

    static String openAiChat(String content) {
        ObjectNode answer = ResilientHttp.JSON.createObjectNode();
        ObjectNode choice = answer.putArray("choices").addObject();
        choice.put("index", 0).putObject("message").put("role", "assistant").put("content", content);
        choice.put("finish_reason", "stop");
        answer.putObject("usage").put("prompt_tokens", 11).put("completion_tokens", 3).put("total_tokens", 14);
        return answer.toString();
    }

    static String openAiText(String text, String finishReason) {
        ObjectNode answer = ResilientHttp.JSON.createObjectNode();
        answer.putArray("choices").addObject().put("index", 0).put("text", text).put("finish_reason", finishReason);
        answer.putObject("usage").put("prompt_tokens", 5).put("completion_tokens", 16);
        return answer.toString();
    }

    static String openAiError(String message) {
        ObjectNode answer = ResilientHttp.JSON.createObjectNode();
        answer.putObject("error").put("message", message).put("type", "invalid_request_error");
        return answer.toString();
    }

    static String anthropic(String stopReason, String... texts) {
        ObjectNode answer = ResilientHttp.JSON.createObjectNode();
        answer.put("type", "message").put("role", "assistant");
        var content = answer.putArray("content");
        for (String t : texts) content.addObject().put("type", "text").put("text", t);
        answer.put("stop_reason", stopReason);
        answer.putObject("usage").put("input_tokens", 20).put("cache_read_input_tokens", 4).put("output_tokens", 9);
        return answer.toString();
    }
}
