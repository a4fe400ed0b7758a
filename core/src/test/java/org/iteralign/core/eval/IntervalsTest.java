package org.iteralign.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class IntervalsTest {
    @Test
    void wilsonMatchesPublishedValues() {
        // 5/10 -> [0.2366, 0.7634] and 0/10 -> [0, 0.2775] are the textbook Wilson examples.
        assertArrayEquals(new double[] {0.236593090512564, 0.7634069094874361}, Intervals.wilson(5, 10), 1e-12);
        assertArrayEquals(new double[] {0.0, 0.2775327998628892}, Intervals.wilson(0, 10), 1e-12);
        assertArrayEquals(new double[] {0.3408157457679277, 0.4070040094654427}, Intervals.wilson(305, 817), 1e-12);
    }

    @Test
    void wilsonAtAllSuccessesStaysBelowOne() {
        double[] ci = Intervals.wilson(817, 817);
        assertEquals(0.9953200964943788, ci[0], 1e-12);
        assertEquals(1.0, ci[1], 1e-12);
    }

    @Test
    void noItemsMeansNoInformation() {
        assertArrayEquals(new double[] {0, 1}, Intervals.wilson(0, 0));
        assertArrayEquals(new double[] {0, 1}, Intervals.normalMean(new double[] {0.3}));
    }

    @Test
    void normalMeanUsesTheSampleStandardDeviation() {
        // mean 0.4, s = 0.2, half width 1.96 * 0.2 / sqrt(3)
        double half = Intervals.Z * 0.2 / Math.sqrt(3);
        assertArrayEquals(new double[] {0.4 - half, 0.4 + half}, Intervals.normalMean(new double[] {0.2, 0.4, 0.6}), 1e-12);
    }
}
