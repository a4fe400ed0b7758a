package org.iteralign.engine.model;

/**
 * Which pairs of a head's dimensions RoPE rotates together. llama.cpp's converter permutes the Q and K
 * weights of arch "llama" so that pairs are adjacent ({@link #INTERLEAVED}, ggml's "normal" mode);
 * qwen2 keeps Hugging Face's layout, where dimension i pairs with i + n/2 ({@link #NEOX}).
 */
public enum RopeStyle {
    INTERLEAVED,
    NEOX
}
