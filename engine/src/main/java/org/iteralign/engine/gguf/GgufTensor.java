package org.iteralign.engine.gguf;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.iteralign.engine.tensor.GgmlType;

/**
 * One tensor of a GGUF file. {@code dims[0]} is the fastest-varying dimension (ggml order), so a
 * weight matrix with {@code dims = [in, out]} is stored as {@code out} rows of {@code in} values.
 *
 * @param offset byte offset of the data from the start of the file's data section
 * @param data   the tensor's bytes, a slice of the file's memory map (valid until the file is closed)
 */
public record GgufTensor(String name, long[] dims, GgmlType type, long offset, MemorySegment data) {

    public GgufTensor {
        dims = dims.clone();
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    public long dim(int i) {
        return dims[i];
    }

    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(dims) + " " + type;
    }
}
