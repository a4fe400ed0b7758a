package org.iteralign.engine.chat;

/**
 * A chat template that does not parse, or that refuses the conversation through its
 * {@code raise_exception(...)} (roles that do not alternate, a system message the model has no place for).
 */
public final class ChatTemplateException extends RuntimeException {
    public ChatTemplateException(String message) {
        super(message);
    }
}
