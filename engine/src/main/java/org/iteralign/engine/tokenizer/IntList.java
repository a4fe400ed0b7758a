package org.iteralign.engine.tokenizer;

import java.util.Arrays;

/** A growable int array, so token ids are not boxed on their way out. */
final class IntList {
    private int[] values = new int[16];
    private int size;

    void add(int value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = value;
    }

    int[] toArray() {
        return Arrays.copyOf(values, size);
    }
}
