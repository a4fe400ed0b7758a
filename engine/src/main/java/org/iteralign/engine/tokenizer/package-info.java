/**
 * Text to token ids and back, identical to llama.cpp's tokenizer for the same model file.
 *
 * <p>Start at {@link org.iteralign.engine.tokenizer.Tokenizers}: it reads a GGUF file's
 * {@code tokenizer.ggml.*} metadata or a Hugging Face tokenizer.json and returns a
 * {@link org.iteralign.engine.tokenizer.Tokenizer}, either byte-level BPE (SmolLM2, Llama 3, Qwen2) or
 * SentencePiece BPE (Llama 2, Mistral). Special-token text is cut out first
 * ({@code SpecialTokenSplitter}), the rest split into words by the model's pre-tokenizer regexes
 * ({@code PreTokenizer}) and merged within each word. The reference ids that the tests compare against
 * are recorded from llama.cpp and Hugging Face by the scripts in src/test/python.
 */
package org.iteralign.engine.tokenizer;
