package org.iteralign.engine.model;

import java.util.Arrays;

/**
 * The keys and values one sequence has produced so far, per layer. Values are position-major
 * ({@code [position][kvHead][headSize]}); keys are dimension-major ({@code [kvHead][headSize][position]},
 * each row {@link #capacity()} long) so that attention scores a run of positions with one vector
 * multiply-add per dimension instead of a lane sum per position. Grows by doubling, so short
 * sequences stay small.
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
        return copy(length);
    }

    /** An independent copy of the first {@code positions} positions. */
    public KvCache copy(int positions) {
        if (positions < 0 || positions > length) {
            throw new IllegalArgumentException("cannot copy " + positions + " of " + length + " positions");
        }
        KvCache c = new KvCache(layers, kvDim, maxLength, Math.max(positions, 1));
        for (int l = 0; l < layers; l++) {
            copyKeys(keys[l], capacity(), c.keys[l], c.capacity(), positions);
            System.arraycopy(values[l], 0, c.values[l], 0, positions * kvDim);
        }
        c.length = positions;
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
        int capacity = capacity();
        if (positions > capacity) {
            int grown = Math.min(maxLength, Math.max(positions, capacity * 2));
            for (int l = 0; l < layers; l++) {
                float[] k = new float[grown * kvDim];
                copyKeys(keys[l], capacity, k, grown, length);
                keys[l] = k;
                values[l] = Arrays.copyOf(values[l], grown * kvDim);
            }
        }
    }

    /** The first {@code positions} of every key row, between layouts of two capacities. */
    private void copyKeys(float[] from, int fromCapacity, float[] to, int toCapacity, int positions) {
        for (int d = 0; d < kvDim; d++) {
            System.arraycopy(from, d * fromCapacity, to, d * toCapacity, positions);
        }
    }

    /** Positions the arrays hold now: the length of one key row. */
    int capacity() {
        return keys[0].length / kvDim;
    }

    /** Stores position {@code pos}'s keys and values for {@code layer}. */
    void put(int layer, int pos, float[] k, float[] v) {
        float[] keyRows = keys[layer];
        int capacity = capacity();
        for (int d = 0; d < kvDim; d++) {
            keyRows[d * capacity + pos] = k[d];
        }
        System.arraycopy(v, 0, values[layer], pos * kvDim, kvDim);
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
