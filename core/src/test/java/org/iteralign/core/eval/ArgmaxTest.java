package org.iteralign.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ArgmaxTest {
    @Test
    void firstTakesTheEarliestOfEqualMaxima() {
        assertEquals(1, Argmax.first(new double[] {0.5, 2.0, 2.0}));
        assertEquals(0, Argmax.first(new double[] {-1, -3}));
    }

    @Test
    void dromedaryBreaksTiesLikeItsNumpyCode() {
        // Expected indices computed with numpy: max_indices[int(sha256(np.asarray(a).tobytes()).hexdigest(), 16) % len(max_indices)]
        assertEquals(1, Argmax.dromedary(new double[] {1.0, 1.0}));
        assertEquals(3, Argmax.dromedary(new double[] {0.5, 2.0, 2.0, 2.0}));
        assertEquals(1, Argmax.dromedary(new double[] {-1.5, -1.5, -1.5}));
        assertEquals(0, Argmax.dromedary(new double[] {3.0, -1.0}));
    }
}
