/**
 * LoRA fine-tuning on the CPU: a training forward and backward pass of the Llama-family transformer in
 * FP32 with frozen base weights ({@link org.iteralign.engine.train.TrainableLlama}), AdamW on a cosine
 * schedule, chat examples tokenised with the model's own template, adapters saved in Hugging Face PEFT's
 * layout, and merging an adapter into a new GGUF file. {@link org.iteralign.engine.train.LoraTrainer} is
 * the entry point.
 */
package org.iteralign.engine.train;
