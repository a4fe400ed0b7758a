package org.iteralign.langchain4j;

import org.iteralign.core.model.ChatModel;

/**
 * The one-line bridges between our chat models and LangChain4j's:
 *
 * <pre>{@code
 * dev.langchain4j.model.chat.ChatModel lc = LangChain4jAdapter.of(guard);   // ours, used through LangChain4j
 * ChatModel ours = LangChain4jAdapter.from(openAiChatModel);                 // theirs, e.g. as a guard's model
 * }</pre>
 */
public final class LangChain4jAdapter {
    private LangChain4jAdapter() {}

    public static IteralignChatModel of(ChatModel model) {
        return IteralignChatModel.of(model);
    }

    public static ChatModel from(dev.langchain4j.model.chat.ChatModel model) {
        return new LangChain4jBackend(model);
    }
}
