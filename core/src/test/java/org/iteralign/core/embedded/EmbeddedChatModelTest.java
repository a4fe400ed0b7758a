package org.iteralign.core.embedded;

import org.iteralign.core.UserInputException;
import org.iteralign.core.model.Completion;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;
import org.iteralign.core.model.ScoreRequest;
import org.iteralign.core.testing.TestModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedded backend on the real SmolLM2-135M-Instruct: what the pipeline sees of the engine. */
class EmbeddedChatModelTest {
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
    void answersAChatTurnWithTheModelsTemplate() {
        Completion c = model.generate(Prompt.userTurn("What is the capital of France?"), Sampling.greedy(24));
        assertTrue(c.text().contains("Paris"), c.text());
        assertEquals("stop", c.finishReason());
        assertTrue(c.usage().promptTokens() > 10, "the chat template's default system turn is part of the prompt");
        assertFalse(c.text().contains("<|im_end|>"));
    }

    @Test
    void stopStringsEndTheAnswerAndAreNotPartOfIt() {
        Sampling s = Sampling.greedy(64).withStop(List.of("\n"));
        Completion c = model.generate(Prompt.raw("Here is a list of fruits:\n1. Apple\n2."), s);
        assertFalse(c.text().contains("\n"), c.text());
        assertEquals("stop", c.finishReason());
        Completion capped = model.generate(Prompt.raw("Once upon a time"), Sampling.greedy(5));
        assertEquals("length", capped.finishReason());
        assertEquals(5, capped.usage().completionTokens());
    }

    @Test
    void batchedAnswersEqualSingleAnswers() {
        List<Prompt> prompts = List.of(Prompt.userTurn("Name a colour."), Prompt.userTurn("What is 2 + 2?"),
                Prompt.raw("The sun rises in the"));
        List<Completion> together = model.generate(prompts, Sampling.greedy(16));
        for (int i = 0; i < prompts.size(); i++) {
            assertEquals(model.generate(prompts.get(i), Sampling.greedy(16)).text(), together.get(i).text());
        }
    }

    @Test
    void scoresALikelyContinuationAboveAnUnlikelyOne() {
        double[] lp = model.logLikelihood(List.of(
                new ScoreRequest("The capital of France is", " Paris"),
                new ScoreRequest("The capital of France is", " banana")));
        assertTrue(lp[0] < 0 && lp[1] < 0);
        assertTrue(lp[0] > lp[1] + 2, "Paris " + lp[0] + " vs banana " + lp[1]);
    }

    @Test
    void aDamagedFileIsAUserError(@TempDir Path dir) throws Exception {
        Path truncated = dir.resolve("broken.gguf");
        byte[] head = new byte[4096];
        try (var in = Files.newInputStream(Path.of(System.getProperty("iteralign.testModel")))) {
            in.readNBytes(head, 0, head.length);
        }
        Files.write(truncated, head);
        var e = assertThrows(UserInputException.class, () -> EmbeddedChatModel.load("x", truncated));
        assertTrue(e.toErrorLine().startsWith("error: " + truncated + ": "), e.toErrorLine());
    }
}
