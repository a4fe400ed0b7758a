/**
 * Llama-family transformers (llama, qwen2 architectures in GGUF): configuration from metadata, weights,
 * per-sequence KV caches, and a batched forward pass that reads each weight matrix once per step.
 */
package org.iteralign.engine.model;
