package org.iteralign.engine.chat;

/** Functions that Hugging Face chat templates call and transformers provides. */
final class TemplateFunctions {
    private TemplateFunctions() {
    }

    /** {@code raise_exception(message)}: a template's way to refuse a conversation. */
    public static String raiseException(String message) {
        throw new RaisedByTemplate(message);
    }

    /** Carries the template's own message through jinjava's error collection. */
    static final class RaisedByTemplate extends RuntimeException {
        RaisedByTemplate(String message) {
            super(message);
        }
    }
}
