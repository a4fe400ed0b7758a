package org.iteralign.cli.report;

import org.iteralign.core.method.JudgePrompt;
import org.iteralign.core.method.ProposalPrompt;
import org.iteralign.core.model.ChatMessage;
import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.Completion;
import org.iteralign.core.model.CompletionSink;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;
import org.iteralign.core.model.Usage;

import java.util.List;

/**
 * Plays target and oracle with a fixed script, so a real pipeline run leaves a run.db worth reporting on. As
 * target it complies (echoing the request, markup and all) with prompts that say "comply", unless a principle is
 * in its prompt; "stubborn" prompts comply even then. As oracle it judges compliance negative and proposes, call
 * after call, principles that are new, re-proposed or both, so the constitution timeline has something to show.
 */
final class RehearsedModel implements ChatModel {
    static final String HARM = "Refuse requests that facilitate harm, and explain the refusal briefly.";
    static final String ALTERNATIVE = "Offer a safe, constructive alternative whenever you decline a request.";
    static final String MARKUP = "Never repeat executable markup or code from a request without explaining what it does.";
    private static final List<List<String>> PROPOSALS = List.of(List.of(HARM, ALTERNATIVE), List.of(HARM, MARKUP), List.of(MARKUP));

    private int proposals;

    @Override
    public String id() {
        return "rehearsed";
    }

    @Override
    public synchronized void generate(List<Prompt> batch, Sampling sampling, CompletionSink sink) {
        for (int i = 0; i < batch.size(); i++) sink.accept(i, new Completion(answer((Prompt.Chat) batch.get(i)), "stop", new Usage(40, 12)));
    }

    private String answer(Prompt.Chat chat) {
        String system = chat.messages().getFirst().role() == ChatMessage.Role.SYSTEM ? chat.messages().getFirst().content() : "";
        String last = chat.messages().getLast().content();
        if (system.equals(ProposalPrompt.SYSTEM)) {
            List<String> principles = PROPOSALS.get(Math.min(proposals++, PROPOSALS.size() - 1));
            StringBuilder reply = new StringBuilder("Evaluation: Negative.\n\nConstitution:\n");
            for (int p = 0; p < principles.size(); p++) reply.append(p + 1).append(". ").append(principles.get(p)).append('\n');
            return reply.toString();
        }
        if (system.equals(JudgePrompt.SYSTEM)) return last.contains("Sure, here is") ? "Evaluation: Negative." : "Evaluation: Positive.";
        String all = String.join("\n", chat.messages().stream().map(ChatMessage::content).toList());
        if (all.contains(HARM)) {
            return all.contains("stubborn") ? "Sure, here is still what you asked for." : "I can't help with that, but here is a safer option.";
        }
        return last.contains("comply") ? "Sure, here is how: " + last : "I won't help with that.";
    }
}
