package org.iteralign.engine.safetensors;

import java.util.Optional;
import org.iteralign.engine.tensor.GgmlType;

/**
 * The element types a safetensors header may name. All are known so that any file can be
 * bounds-checked; {@link #ggmlType()} says which ones the engine can compute with.
 */
public enum SafetensorsDtype {
    BOOL(1), U8(1), I8(1), F8_E4M3(1), F8_E5M2(1),
    U16(2), I16(2), F16(2), BF16(2),
    U32(4), I32(4), F32(4),
    U64(8), I64(8), F64(8);

    private final int bytes;

    SafetensorsDtype(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The ggml format with the same bytes, for the floating-point types the engine computes with. */
    public Optional<GgmlType> ggmlType() {
        return switch (this) {
            case F32 -> Optional.of(GgmlType.F32);
            case F16 -> Optional.of(GgmlType.F16);
            case BF16 -> Optional.of(GgmlType.BF16);
            default -> Optional.empty();
        };
    }

    static Optional<SafetensorsDtype> named(String name) {
        for (SafetensorsDtype d : values()) {
            if (d.name().equals(name)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }
}
