package org.iteralign.core.guard;

import org.iteralign.core.constitution.ConstitutionLibrary;
import org.iteralign.core.method.JudgePrompt;
import org.iteralign.core.method.ReflectionPrompt;
import org.iteralign.core.method.Verdict;
import org.iteralign.core.model.ChatMessage;
import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.Completion;
import org.iteralign.core.model.CompletionSink;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;
import org.iteralign.core.model.Usage;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guard's bookkeeping (retries, rounds, caps, what is judged when) with a scripted target whose answers name
 * their seed and whether principles were in the prompt; the real-model behaviour is in {@link ConstitutionalGuardTest}.
 */
class ConstitutionalGuardRoundsTest {
    private static final Prompt PROMPT = Prompt.userTurn("How do I pick a lock?");
    private static final Sampling GREEDY = new Sampling(0, 1, 0, 0, 0, 32, List.of(), 10);
    private static final Sampling SAMPLED = new Sampling(0.7, 0.9, 0, 0, 0, 32, List.of(), 10);

    /** Answers "Compliance #SEED" to a bare prompt and "Refusal #SEED" once principles are in it. */
    private static final class ScriptedTarget implements ChatModel {
        final List<Integer> batchSizes = new java.util.ArrayList<>();

        @Override
        public String id() {
            return "scripted-target";
        }

        @Override
        public void generate(List<Prompt> batch, Sampling sampling, CompletionSink sink) {
            batchSizes.add(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                String turn = ((Prompt.Chat) batch.get(i)).messages().getLast().content();
                String kind = turn.contains(ReflectionPrompt.LEAD_IN) ? "Refusal" : "Compliance";
                sink.accept(i, new Completion(kind + " #" + sampling.seed(), "stop", new Usage(7, 3)));
            }
        }
    }

    private static ConstitutionalGuard.Builder guard(ScriptedTarget target, ScriptedJudge judge) {
        return ConstitutionalGuard.wrap(target).judge(judge).library(GuardFixtures.library());
    }

    @Test
    void aVerdictTheJudgeDidNotGiveIsAskedForAgainWithTheReminder() {
        ScriptedTarget target = new ScriptedTarget();
        ScriptedJudge judge = new ScriptedJudge(Set.of(), Set.of("Compliance #10"));
        GuardedAnswer a = guard(target, judge).build().answer(PROMPT, GREEDY);
        assertEquals(new GuardedAnswer.Judgement(Verdict.POSITIVE, "Evaluation: Positive.", 2), a.judgement());
        assertFalse(a.revised());
        assertEquals(2, judge.batches().size());
        String retried = ((Prompt.Chat) judge.batches().get(1).getFirst()).messages().getLast().content();
        assertTrue(retried.endsWith(JudgePrompt.FORMAT_REMINDER), retried);
    }

    @Test
    void anAnswerWithoutAVerdictAfterTheRetryIsRevised() {
        ScriptedTarget target = new ScriptedTarget();
        ConstitutionalGuard g = ConstitutionalGuard.wrap(target).judge(new ChatModel() {
            @Override
            public String id() {
                return "mute-judge";
            }

            @Override
            public void generate(List<Prompt> batch, Sampling sampling, CompletionSink sink) {
                for (int i = 0; i < batch.size(); i++) sink.accept(i, new Completion("I cannot say.", "stop", Usage.NONE));
            }
        }).library(GuardFixtures.library()).build();
        GuardedAnswer a = g.answer(PROMPT, GREEDY);
        assertEquals(Verdict.UNPARSED, a.judgement().verdict());
        assertEquals(2, a.judgement().attempts());
        assertEquals("Refusal #10", a.text());
    }

    @Test
    void zeroRevisionsOnlyJudges() {
        ScriptedTarget target = new ScriptedTarget();
        GuardedAnswer a = guard(target, new ScriptedJudge(Set.of("Compliance #10"))).maxRevisions(0).build().answer(PROMPT, GREEDY);
        assertEquals(Verdict.NEGATIVE, a.judgement().verdict());
        assertFalse(a.revised());
        assertEquals("Compliance #10", a.text());
        assertEquals(List.of(1), target.batchSizes);
    }

    @Test
    void unverifiedRevisionsAreNotJudged() {
        ScriptedTarget target = new ScriptedTarget();
        ScriptedJudge judge = new ScriptedJudge(Set.of("Compliance #10"));
        GuardedAnswer a = guard(target, judge).verifyRevisions(false).build().answer(PROMPT, GREEDY);
        assertEquals("Refusal #10", a.text());
        assertTrue(a.revisionJudgement().isEmpty());
        assertEquals(1, judge.batches().size());
        assertEquals(new Usage(14, 6), a.completion().usage(), "the first answer's tokens and the revision's");
    }

    @Test
    void furtherRoundsReseedSampledDecodingUntilTheJudgeIsSatisfied() {
        ScriptedTarget target = new ScriptedTarget();
        ScriptedJudge judge = new ScriptedJudge(Set.of("Compliance #10", "Refusal #10", "Refusal #11"));
        GuardedAnswer a = guard(target, judge).maxRevisions(5).build().answer(PROMPT, SAMPLED);
        assertEquals("Refusal #12", a.text());
        assertEquals(3, a.revisions());
        assertEquals(Verdict.POSITIVE, a.revisionJudgement().orElseThrow().verdict());
        assertEquals(List.of(1, 1, 1, 1), target.batchSizes);
    }

    @Test
    void greedyDecodingGetsOneRoundBecauseAnotherWouldRepeatIt() {
        ScriptedTarget target = new ScriptedTarget();
        ScriptedJudge judge = new ScriptedJudge(Set.of("Compliance #10", "Refusal #10"));
        GuardedAnswer a = guard(target, judge).maxRevisions(5).build().answer(PROMPT, GREEDY);
        assertEquals(1, a.revisions());
        assertEquals(Verdict.NEGATIVE, a.revisionJudgement().orElseThrow().verdict(), "reported, not hidden");
        assertEquals(List.of(1, 1), target.batchSizes);
    }

    @Test
    void theJudgeSeesTheQuestionOnlyWhenAsked() {
        ScriptedJudge judge = new ScriptedJudge(Set.of());
        guard(new ScriptedTarget(), judge).showPrompt(true).build().answer(PROMPT, GREEDY);
        String judged = ((Prompt.Chat) judge.batches().getFirst().getFirst()).messages().getLast().content();
        assertEquals(JudgePrompt.USER_PREFIX + "Question: How do I pick a lock?\n\nAnswer: Compliance #10", judged);
    }

    @Test
    void theQuestionIsTheLastUserTurn() {
        Prompt chat = Prompt.chat(ChatMessage.system("s"), ChatMessage.user("first"), ChatMessage.assistant("a"), ChatMessage.user("second"));
        assertEquals("second", ConstitutionalGuard.question(chat));
        assertEquals("raw text", ConstitutionalGuard.question(Prompt.raw("raw text")));
    }

    @Test
    void theIdNamesBothModelsAndChangesWithTheLibrary() {
        ScriptedJudge judge = new ScriptedJudge(Set.of());
        String full = guard(new ScriptedTarget(), judge).build().id();
        ConstitutionLibrary one = new ConstitutionLibrary();
        one.add(1, List.of(GuardFixtures.LOCKS), List.of("c"));
        String small = ConstitutionalGuard.wrap(new ScriptedTarget()).judge(judge).library(one).build().id();
        assertTrue(full.startsWith("guard:scripted-target?judge=scripted-judge&library="), full);
        assertNotEquals(full, small);
        assertNotEquals(full, guard(new ScriptedTarget(), judge).maxPrinciples(2).build().id());
    }

    @Test
    void anIncompleteGuardIsRefusedAtBuild() {
        ScriptedTarget target = new ScriptedTarget();
        ScriptedJudge judge = new ScriptedJudge(Set.of());
        assertTrue(assertThrows(IllegalStateException.class, () -> ConstitutionalGuard.wrap(target).library(GuardFixtures.library()).build())
                .getMessage().contains("judge(oracle)"));
        assertTrue(assertThrows(IllegalStateException.class, () -> ConstitutionalGuard.wrap(target).judge(judge).build())
                .getMessage().contains("library"));
        assertTrue(assertThrows(IllegalStateException.class, () -> ConstitutionalGuard.wrap(target).judge(judge)
                .library(new ConstitutionLibrary()).build()).getMessage().contains("non-empty"));
        assertThrows(IllegalStateException.class, () -> guard(target, judge).maxRevisions(2).verifyRevisions(false).build());
    }
}
