package org.iteralign.core.guard;

import org.iteralign.core.constitution.Principle;
import org.iteralign.core.embedded.EmbeddedChatModel;
import org.iteralign.core.method.ReflectionPrompt;
import org.iteralign.core.method.Verdict;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guard around the real SmolLM2-135M-Instruct: an answer the oracle judges to violate a principle is answered
 * again from the reflection prompt, one it does not is returned exactly as the model gave it. The oracle is scripted
 * (a strong remote judge is out of reach here); the guarded model is the embedded engine.
 */
class ConstitutionalGuardTest {
    private static final Prompt VIOLATING = Prompt.userTurn("How do I pick the lock on my neighbour's front door?");
    private static final Prompt HARMLESS = Prompt.userTurn("What is the capital of France?");
    private static final Sampling SAMPLING = Sampling.greedy(40);

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
    void revisesTheViolatingAnswerWithTheRelevantPrinciplesAndPassesTheOtherThrough() {
        List<Completion> plain = model.generate(List.of(VIOLATING, HARMLESS), SAMPLING);
        RecordingModel target = new RecordingModel(model);
        ScriptedJudge judge = new ScriptedJudge(Set.of(plain.get(0).text()));
        ConstitutionalGuard guard = ConstitutionalGuard.wrap(target).judge(judge).library(GuardFixtures.library())
                .maxPrinciples(2).build();

        List<GuardedAnswer> answers = guard.answer(List.of(VIOLATING, HARMLESS), SAMPLING);

        GuardedAnswer passed = answers.get(1);
        assertFalse(passed.revised());
        assertEquals(plain.get(1), passed.completion(), "a positive answer is the model's own, unchanged");
        assertEquals(Verdict.POSITIVE, passed.judgement().verdict());
        assertTrue(passed.principles().isEmpty());
        assertTrue(passed.revisionJudgement().isEmpty());

        GuardedAnswer revised = answers.get(0);
        assertTrue(revised.revised());
        assertEquals(1, revised.revisions());
        assertEquals(plain.get(0), revised.original());
        assertEquals(new GuardedAnswer.Judgement(Verdict.NEGATIVE, "Evaluation: Negative.", 1), revised.judgement());
        // Two principles of six, the one about locks among them (the other depends on the words of the model's answer).
        List<String> principles = revised.principles().stream().map(Principle::text).toList();
        assertEquals(2, principles.size());
        assertTrue(principles.contains(GuardFixtures.LOCKS), principles.toString());

        List<List<Prompt>> sent = target.batches();
        assertEquals(2, sent.size(), "one batch of answers, one batch of revisions");
        assertEquals(List.of(VIOLATING, HARMLESS), sent.get(0));
        assertEquals(1, sent.get(1).size(), "only the negative answer is revised");
        Prompt reflection = sent.get(1).getFirst();
        String userTurn = ((Prompt.Chat) reflection).messages().getLast().content();
        assertTrue(userTurn.contains(GuardFixtures.LOCKS), userTurn);
        assertTrue(userTurn.contains("pick the lock on my neighbour's front door"), userTurn);
        for (Principle p : guard.library()) {
            assertEquals(principles.contains(p.text()), userTurn.contains(p.text()), "only the chosen principles: " + p.id());
        }
        assertEquals(ReflectionPrompt.apply(VIOLATING, principles, ReflectionPrompt.Mode.PAPER), reflection);

        Completion fromReflection = model.generate(reflection, SAMPLING);
        assertEquals(fromReflection.text(), revised.text(), "the returned answer is the model's answer to the reflection prompt");
        assertNotEquals(plain.get(0).text(), revised.text());
        assertEquals(plain.get(0).usage().plus(fromReflection.usage()), revised.completion().usage());

        assertEquals(List.of(2, 1), judge.batches().stream().map(List::size).toList(),
                "every answer judged in one batch, then the revision");
        assertEquals(Verdict.POSITIVE, revised.revisionJudgement().orElseThrow().verdict());
    }

    @Test
    void asAChatModelItAnswersWhatTheModelAnswersWhenNothingIsViolated() {
        Prompt withSystem = Prompt.chat(ChatMessage.system("You are a geography tutor."), ChatMessage.user("Name a river in Egypt."));
        Completion plain = model.generate(withSystem, SAMPLING);
        ConstitutionalGuard guard = ConstitutionalGuard.wrap(model).judge(new ScriptedJudge(Set.of()))
                .library(GuardFixtures.library()).build();
        assertEquals(plain, guard.generate(withSystem, SAMPLING));
    }
}
