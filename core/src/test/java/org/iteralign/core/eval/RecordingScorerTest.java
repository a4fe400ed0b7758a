package org.iteralign.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.iteralign.core.model.ScoreRequest;
import org.junit.jupiter.api.Test;

class RecordingScorerTest {
    @Test
    void keepsRequestsAndScoresInOrderAcrossBatchesAndPassesTheScoresOn() {
        RecordingScorer recording = new RecordingScorer(new TableScorer(r -> -r.continuation().length()));
        ScoreRequest a = new ScoreRequest("Q:", " yes");
        ScoreRequest b = new ScoreRequest("Q:", " no");
        ScoreRequest c = new ScoreRequest("Q2:", " maybe");

        assertArrayEquals(new double[] {-4, -3}, recording.logLikelihood(List.of(a, b)));
        assertArrayEquals(new double[] {-6}, recording.logLikelihood(List.of(c)));

        assertEquals(List.of(a, b, c), recording.requests());
        assertArrayEquals(new double[] {-4, -3, -6}, recording.scores());
        assertArrayEquals(new double[] {-3, -6}, recording.scores(1, 3));
        assertEquals("table", recording.id());
    }
}
