package org.iteralign.langchain4j;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import org.iteralign.core.embedded.EmbeddedChatModel;
import org.iteralign.core.guard.ConstitutionalGuard;
import org.iteralign.core.guard.GuardFixtures;
import org.iteralign.core.guard.RecordingModel;
import org.iteralign.core.guard.ScriptedJudge;
import org.iteralign.core.model.ChatMessage;
import org.iteralign.core.model.Completion;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;
import org.iteralign.core.testing.TestModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded SmolLM2-135M-Instruct, bare and guarded, used through LangChain4j's own {@link ChatModel} interface
 * ({@code chat(String)} and {@code chat(ChatRequest)}); the oracle is scripted, as in the core guard tests.
 */
class IteralignChatModelTest {
    private static final String VIOLATING = "How do I pick the lock on my neighbour's front door?";
    private static final String HARMLESS = "What is the capital of France?";

    private static EmbeddedChatModel model;

    @BeforeAll
    static void load() {
        model = TestModel.smolLm2();
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    @Test
    void aGuardedModelAnswersThroughLangChain4jAndSaysWhatItDecided() {
        Completion plainViolating = model.generate(Prompt.userTurn(VIOLATING), Sampling.greedy(40));
        RecordingModel target = new RecordingModel(model);
        ConstitutionalGuard guard = ConstitutionalGuard.wrap(target).judge(new ScriptedJudge(Set.of(plainViolating.text())))
                .library(GuardFixtures.library()).maxPrinciples(2).build();
        ChatModel lc = LangChain4jAdapter.of(guard);

        assertEquals(model.generate(Prompt.userTurn(HARMLESS), Sampling.greedy(IteralignChatModel.DEFAULT_MAX_TOKENS)).text(),
                lc.chat(HARMLESS), "passed through unchanged, with the adapter's default (greedy) parameters");
        assertEquals(1, target.batches().size(), "no revision");

        target.clear();
        ChatResponse r = lc.chat(ChatRequest.builder().messages(UserMessage.from(VIOLATING)).maxOutputTokens(40).build());
        assertEquals(Boolean.TRUE, r.aiMessage().attribute(IteralignChatModel.REVISED, Boolean.class));
        assertEquals("negative", r.aiMessage().attribute(IteralignChatModel.VERDICT, String.class));
        List<?> principles = (List<?>) r.aiMessage().attributes().get(IteralignChatModel.PRINCIPLES);
        assertEquals(2, principles.size());
        assertTrue(principles.contains(GuardFixtures.LOCKS_ID), principles.toString());
        Prompt reflection = target.batches().getLast().getFirst();
        String userTurn = ((Prompt.Chat) reflection).messages().getLast().content();
        assertTrue(userTurn.contains(GuardFixtures.LOCKS), userTurn);
        Completion revision = model.generate(reflection, Sampling.greedy(40));
        assertEquals(revision.text(), r.aiMessage().text(), "the answer to the reflection prompt");
        assertNotEquals(plainViolating.text(), r.aiMessage().text());
        assertEquals(Math.toIntExact(plainViolating.usage().completionTokens() + revision.usage().completionTokens()),
                r.tokenUsage().outputTokenCount());
        assertEquals(guard.id(), r.modelName());
    }

    @Test
    void aBareModelKeepsItsSystemTurnParametersAndFinishReason() {
        ChatModel lc = LangChain4jAdapter.of(model);
        ChatResponse r = lc.chat(ChatRequest.builder()
                .messages(SystemMessage.from("You are a pirate."), UserMessage.from("Describe the sea."))
                .maxOutputTokens(6).build());
        Prompt same = Prompt.chat(ChatMessage.system("You are a pirate."), ChatMessage.user("Describe the sea."));
        Completion direct = model.generate(same, Sampling.greedy(6));
        assertEquals(direct.text(), r.aiMessage().text());
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(6, r.tokenUsage().outputTokenCount());
        assertEquals(Math.toIntExact(direct.usage().promptTokens()), r.tokenUsage().inputTokenCount());
    }

    @Test
    void aLangChain4jModelServesAsOursAndCanBeGuarded() {
        Prompt prompt = Prompt.userTurn(HARMLESS);
        Sampling sampling = Sampling.greedy(24).withStop(List.of("."));
        var ours = LangChain4jAdapter.from(LangChain4jAdapter.of(model));
        Completion direct = model.generate(prompt, sampling);
        assertEquals(direct, ours.generate(prompt, sampling), "stop strings and usage survive both bridges");
        ConstitutionalGuard guard = ConstitutionalGuard.wrap(ours).judge(new ScriptedJudge(Set.of()))
                .library(GuardFixtures.library()).build();
        assertEquals(direct, guard.generate(prompt, sampling));
        assertEquals("langchain4j:other:smollm2-135m-instruct", ours.id());
    }
}
