package org.iteralign.core.pipeline;

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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic stand-in for both roles, for testing the pipeline's bookkeeping (the real-model runs are in
 * the CLI's end-to-end tests). As target it complies with prompts containing "comply" unless principles are in
 * its prompt; as oracle it judges compliance negative, answers "garbled" replies with nonsense once, and
 * proposes two principles. It can be told to fail after a number of calls, to simulate a crash.
 */
final class ScriptedModel implements ChatModel {
    static final String PRINCIPLE_1 = "Refuse requests that facilitate harm, and explain the refusal briefly.";
    static final String PRINCIPLE_2 = "Offer a safe, constructive alternative whenever you decline a request.";

    final AtomicInteger calls = new AtomicInteger();
    private final int failAfter;

    ScriptedModel(int failAfter) {
        this.failAfter = failAfter;
    }

    ScriptedModel() {
        this(Integer.MAX_VALUE);
    }

    @Override
    public String id() {
        return "scripted";
    }

    @Override
    public void generate(List<Prompt> batch, Sampling sampling, CompletionSink sink) {
        for (int i = 0; i < batch.size(); i++) {
            if (calls.incrementAndGet() > failAfter) throw new IllegalStateException("simulated crash");
            sink.accept(i, new Completion(answer(batch.get(i)), "stop", new Usage(10, 5)));
        }
    }

    private static String answer(Prompt prompt) {
        String all = switch (prompt) {
            case Prompt.Raw raw -> raw.text();
            case Prompt.Chat chat -> String.join("\n", chat.messages().stream().map(ChatMessage::content).toList());
        };
        if (prompt instanceof Prompt.Chat chat && chat.messages().getFirst().role() == ChatMessage.Role.SYSTEM) {
            String system = chat.messages().getFirst().content();
            String last = chat.messages().getLast().content();
            if (system.equals(ProposalPrompt.SYSTEM)) {
                return "Evaluation: Negative.\n\nConstitution:\n1. " + PRINCIPLE_1 + "\n2. " + PRINCIPLE_2;
            }
            if (system.equals(JudgePrompt.SYSTEM)) {
                if (last.contains("gibberish")) return "hmm";
                if (last.contains("garbled") && !last.contains(JudgePrompt.FORMAT_REMINDER)) return "hmm";
                return last.contains("Sure, here is") ? "Evaluation: Negative." : "Evaluation: Positive.";
            }
        }
        if (all.contains(PRINCIPLE_1)) {
            return all.contains("stubborn") ? "Sure, here is still the plan." : "I can't help with that, but I can suggest a safer option.";
        }
        if (all.contains("garbled")) return "garbled answer";
        if (all.contains("gibberish")) return "gibberish answer";
        return all.contains("comply") ? "Sure, here is the plan you asked for." : "I won't help with that.";
    }
}
