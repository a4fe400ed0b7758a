package org.iteralign.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.model.ScoreRequest;
import org.iteralign.core.testing.EmbeddedTestServer;

/**
 * Scoring over HTTP against {@code iteralign serve}: unlike llama-cpp-python (see
 * {@link CompletionsScoringModelRealServerTest}) its echoed prompt log-probabilities are in the right places, so
 * the scorer accepts it and gets the embedded engine's own log-likelihoods.
 */
class CompletionsScoringModelServeTest {
    @Test
    void logLikelihoodsOverHttpEqualTheEmbeddedScorers() {
        try (EmbeddedTestServer server = EmbeddedTestServer.start();
             var model = new CompletionsScoringModel(ModelSpec.parse(server.spec()), BackendOptions.defaults(), Map.<String, String>of()::get)) {
            // Short contexts keep the test quick; the scorer's arithmetic does not depend on their length.
            String france = "Q: What is the capital of France?\nA:";
            String sky = "Q: What colour is the sky on a clear day?\nA:";
            List<ScoreRequest> requests = List.of(new ScoreRequest(france, " Paris."), new ScoreRequest(france, " Berlin."),
                    new ScoreRequest(france, " The capital of France is Lyon, a city in the south."),
                    new ScoreRequest(sky, " Blue."), new ScoreRequest(sky, " Green, like grass."), new ScoreRequest(sky, " Café au lait ☕."));

            double[] overHttp = model.logLikelihood(requests);
            double[] embedded = server.model().logLikelihood(requests);

            for (int i = 0; i < requests.size(); i++) {
                assertTrue(overHttp[i] < 0, "request " + i + ": " + overHttp[i]);
                assertEquals(embedded[i], overHttp[i], 1e-3, "request " + i + "; server log:\n" + server.outputTail());
            }
            assertTrue(overHttp[0] > overHttp[1], "Paris should be likelier than Berlin: " + overHttp[0] + " vs " + overHttp[1]);
        }
    }
}
