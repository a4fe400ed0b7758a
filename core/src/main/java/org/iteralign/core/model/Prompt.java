package org.iteralign.core.model;

import java.util.List;

/**
 * What a model is asked: a chat conversation (rendered with the model's chat template) or raw text to
 * continue (the paper's hh-rlhf transcripts, and log-likelihood scoring prompts).
 */
public sealed interface Prompt {
    record Chat(List<ChatMessage> messages) implements Prompt {
        public Chat {
            messages = List.copyOf(messages);
            if (messages.isEmpty()) throw new IllegalArgumentException("a chat prompt needs at least one message");
        }
    }

    record Raw(String text) implements Prompt {}

    static Prompt chat(ChatMessage... messages) {
        return new Chat(List.of(messages));
    }

    static Prompt userTurn(String text) {
        return new Chat(List.of(ChatMessage.user(text)));
    }

    static Prompt raw(String text) {
        return new Raw(text);
    }
}
