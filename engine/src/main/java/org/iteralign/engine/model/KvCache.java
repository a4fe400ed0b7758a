package org.iteralign.engine.model;

import java.util.Arrays;

/**
 * The keys and values one sequence has produced so far, per layer, position-major
 * ({@code [position][kvHead][headSize]}). Grows by doubling, so short sequences stay small.
 */
public final class KvCache {
    private final int layers;
    private final int kvDim;
    private final int maxLength;
    private float[][] keys;
    private float[][] values;
    private int length;

    KvCache(LlamaConfig config) {
        this(config.blockCount(), config.kvDim(), config.contextLength(), 16);
    }

    private KvCache(int layers, int kvDim, int maxLength, int capacity) {
        this.layers = layers;
        this.kvDim = kvDim;
        this.maxLength = maxLength;
        this.keys = new float[layers][capacity * kvDim];
        this.values = new float[layers][capacity * kvDim];
    }

    /** Tokens seen so far; the next token goes at this position. */
    public int length() {
        return length;
    }

    /** The model's context length; {@link LlamaModel#forward} refuses to go past it. */
    public int maxLength() {
        return maxLength;
    }

    /** An independent copy, to continue one shared prefix in several ways. */
    public KvCache copy() {
        KvCache c = new KvCache(layers, kvDim, maxLength, Math.max(length, 1));
        for (int l = 0; l < layers; l++) {
            System.arraycopy(keys[l], 0, c.keys[l], 0, length * kvDim);
            System.arraycopy(values[l], 0, c.values[l], 0, length * kvDim);
        }
        c.length = length;
        return c;
    }

    /** Forgets everything after the first {@code newLength} positions. */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException("cannot truncate " + length + " positions to " + newLength);
        }
        length = newLength;
    }

    void reserve(int positions) {
        if (positions > maxLength) {
            throw new IllegalArgumentException(positions + " positions exceed the context length " + maxLength);
        }
        int capacity = keys[0].length / kvDim;
        if (positions > capacity) {
            int grown = Math.min(maxLength, Math.max(positions, capacity * 2));
            for (int l = 0; l < layers; l++) {
                keys[l] = Arrays.copyOf(keys[l], grown * kvDim);
                values[l] = Arrays.copyOf(values[l], grown * kvDim);
            }
        }
    }

    void advance(int positions) {
        length += positions;
    }

    /** Bytes of keys and values allocated, grown capacity included: what the cache holds in memory. */
    public long allocatedBytes() {
        return 2L * layers * keys[0].length * Float.BYTES;
    }

    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }
}
