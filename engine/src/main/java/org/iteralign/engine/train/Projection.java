package org.iteralign.engine.train;

import java.util.Locale;
import org.iteralign.engine.model.LlamaConfig;

/**
 * The weight matrices of a transformer block that a LoRA adapter can target, with their names in
 * llama.cpp's GGUF files and in Hugging Face checkpoints (which PEFT adapters use).
 */
public enum Projection {
    Q("attn_q", "self_attn", "q_proj"),
    K("attn_k", "self_attn", "k_proj"),
    V("attn_v", "self_attn", "v_proj"),
    O("attn_output", "self_attn", "o_proj"),
    GATE("ffn_gate", "mlp", "gate_proj"),
    UP("ffn_up", "mlp", "up_proj"),
    DOWN("ffn_down", "mlp", "down_proj");

    private final String ggufName;
    private final String hfModule;
    private final String hfName;

    Projection(String ggufName, String hfModule, String hfName) {
        this.ggufName = ggufName;
        this.hfModule = hfModule;
        this.hfName = hfName;
    }

    /** The weight tensor of block {@code layer} in a GGUF file, e.g. "blk.3.attn_q.weight". */
    public String ggufTensor(int layer) {
        return "blk." + layer + "." + ggufName + ".weight";
    }

    /** The module path of block {@code layer} in a Hugging Face Llama, e.g. "model.layers.3.self_attn.q_proj". */
    public String hfModule(int layer) {
        return "model.layers." + layer + "." + hfModule + "." + hfName;
    }

    /** The name PEFT's {@code target_modules} uses, e.g. "q_proj". */
    public String hfName() {
        return hfName;
    }

    public static Projection fromHfName(String name) {
        for (Projection p : values()) {
            if (p.hfName.equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown LoRA target module '" + name + "' (known: q_proj, k_proj, v_proj, "
                + "o_proj, gate_proj, up_proj, down_proj)");
    }

    /** Input width of the matrix. */
    public int in(LlamaConfig c) {
        return switch (this) {
            case Q, K, V, GATE, UP -> c.embeddingLength();
            case O -> c.qDim();
            case DOWN -> c.feedForwardLength();
        };
    }

    /** Output width of the matrix. */
    public int out(LlamaConfig c) {
        return switch (this) {
            case Q -> c.qDim();
            case K, V -> c.kvDim();
            case O, DOWN -> c.embeddingLength();
            case GATE, UP -> c.feedForwardLength();
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
