package org.iteralign.core.eval;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ModelCallException;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.model.ScoreRequest;
import org.iteralign.core.testing.LlamaCppServer;

/**
 * Against llama-cpp-python's real server (SmolLM2-135M, which has no BOS token). Measured by hand with the
 * Python API: the echoed {@code token_logprobs} of the prompt equal log-softmax(logits after token i)[token i],
 * one position late; for "Q: What is the capital of France?\nA: Paris é" the server says -12.23 for " What"
 * where the right value is -5.58. The scorer must refuse such a server instead of reporting numbers.
 */
class CompletionsScoringModelRealServerTest {
    @Test
    void llamaCppPythonsShiftedPromptLogprobsAreDetected() {
        try (LlamaCppServer server = LlamaCppServer.start();
             var model = new CompletionsScoringModel(ModelSpec.parse(server.spec()), BackendOptions.defaults(), Map.<String, String>of()::get)) {
            var e = assertThrows(ModelCallException.class,
                    () -> model.logLikelihood(List.of(new ScoreRequest(TruthfulQaMc.context("What is the capital of France?"), " Paris."))));
            assertTrue(e.userFixable());
            assertTrue(e.getMessage().contains("misaligned"), e.getMessage() + "\n" + server.outputTail());
        }
    }
}
