package org.iteralign.core.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.iteralign.core.model.ChatMessage;
import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.Completion;
import org.iteralign.core.model.CompletionSink;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;
import org.iteralign.core.model.Usage;

/** A chat model for tests: answers are a function of the last user turn; every prompt it was asked is kept. */
final class ScriptedChat implements ChatModel {
    final List<Prompt.Chat> asked = new ArrayList<>();
    private final Function<String, String> answer;

    ScriptedChat(Function<String, String> answer) {
        this.answer = answer;
    }

    @Override
    public String id() {
        return "scripted";
    }

    @Override
    public synchronized void generate(List<Prompt> batch, Sampling sampling, CompletionSink sink) {
        for (int i = 0; i < batch.size(); i++) {
            Prompt.Chat chat = (Prompt.Chat) batch.get(i);
            asked.add(chat);
            ChatMessage last = chat.messages().getLast();
            sink.accept(i, new Completion(answer.apply(last.content()), "stop", Usage.NONE));
        }
    }
}
