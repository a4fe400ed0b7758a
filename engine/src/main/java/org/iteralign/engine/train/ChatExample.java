package org.iteralign.engine.train;

import java.util.List;
import org.iteralign.engine.chat.Message;

/** A conversation so far and the assistant's reply the model should learn to give to it. */
public record ChatExample(List<Message> prompt, String response) {
    public ChatExample {
        prompt = List.copyOf(prompt);
        if (prompt.isEmpty()) {
            throw new IllegalArgumentException("a training example needs at least one prompt message");
        }
        if (response == null) {
            throw new IllegalArgumentException("a training example needs a response");
        }
    }

    /** One user turn and its reply. */
    public static ChatExample of(String user, String assistant) {
        return new ChatExample(List.of(Message.user(user)), assistant);
    }
}
