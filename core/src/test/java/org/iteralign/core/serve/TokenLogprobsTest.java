package org.iteralign.core.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class TokenLogprobsTest {
    @Test
    void topIdsAreTheHighestFirstWithTiesToTheLowerId() {
        float[] logits = {0.5f, 3f, -1f, 3f, 2f, 7f, 2f};

        assertArrayEquals(new int[] {5, 1, 3}, TokenLogprobs.topIds(logits, 3));
        assertArrayEquals(new int[] {5, 1, 3, 4, 6}, TokenLogprobs.topIds(logits, 5));
        assertArrayEquals(new int[] {5, 1, 3, 4, 6, 0, 2}, TokenLogprobs.topIds(logits, 10));
        assertArrayEquals(new int[] {}, TokenLogprobs.topIds(logits, 0));
    }
}
