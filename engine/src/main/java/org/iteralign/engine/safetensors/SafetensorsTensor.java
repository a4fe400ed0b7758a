package org.iteralign.engine.safetensors;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One tensor of a safetensors file. The shape is row-major ({@code shape[last]} varies fastest), so a
 * Hugging Face weight of shape {@code [out, in]} is {@code out} rows of {@code in} values: the same
 * bytes as a ggml tensor with dims {@code [in, out]}.
 *
 * @param data the tensor's bytes, a slice of the file's memory map (valid until the file is closed)
 */
public record SafetensorsTensor(String name, SafetensorsDtype dtype, long[] shape, MemorySegment data) {

    public SafetensorsTensor {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + " " + dtype;
    }
}
