package org.iteralign.core.guard;

import org.iteralign.core.method.JudgePrompt;
import org.iteralign.core.model.ChatMessage;
import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.Completion;
import org.iteralign.core.model.CompletionSink;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;
import org.iteralign.core.model.Usage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * A deterministic oracle for guard tests (the real one is a stronger remote model, out of reach here): it judges
 * negative exactly the answers it is told violate a principle, positive every other, and first replies without a
 * verdict for the answers it is told to garble (a reply with the format reminder gets a verdict). It records every
 * batch it is sent, and refuses anything but a judge conversation.
 */
public final class ScriptedJudge implements ChatModel {
    private final Set<String> violating;
    private final Set<String> garbled;
    private final List<List<Prompt>> batches = Collections.synchronizedList(new ArrayList<>());

    public ScriptedJudge(Set<String> violating, Set<String> garbled) {
        this.violating = Set.copyOf(violating.stream().map(String::strip).toList());
        this.garbled = Set.copyOf(garbled.stream().map(String::strip).toList());
    }

    public ScriptedJudge(Set<String> violating) {
        this(violating, Set.of());
    }

    public List<List<Prompt>> batches() {
        return List.copyOf(batches);
    }

    @Override
    public String id() {
        return "scripted-judge";
    }

    @Override
    public void generate(List<Prompt> batch, Sampling sampling, CompletionSink sink) {
        batches.add(List.copyOf(batch));
        for (int i = 0; i < batch.size(); i++) sink.accept(i, new Completion(reply(batch.get(i)), "stop", new Usage(50, 4)));
    }

    private String reply(Prompt prompt) {
        if (!(prompt instanceof Prompt.Chat chat) || !chat.messages().getFirst().content().equals(JudgePrompt.SYSTEM)) {
            throw new IllegalArgumentException("the scripted judge was sent something other than a judge conversation");
        }
        String last = chat.messages().getLast().content().substring(JudgePrompt.USER_PREFIX.length());
        boolean reminded = last.endsWith(JudgePrompt.FORMAT_REMINDER);
        if (reminded) last = last.substring(0, last.length() - JudgePrompt.FORMAT_REMINDER.length());
        int answerAt = last.indexOf("\n\nAnswer: ");
        String answer = (answerAt >= 0 ? last.substring(answerAt + "\n\nAnswer: ".length()) : last).strip();
        if (garbled.contains(answer) && !reminded) return "Hard to say.";
        return violating.contains(answer) ? "Evaluation: Negative." : "Evaluation: Positive.";
    }
}
