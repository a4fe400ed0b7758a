package org.iteralign.engine.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into the words that BPE merges within. A list of regexes is applied in turn, each to every
 * piece the previous ones left, and the text between matches stays a piece of its own: llama.cpp's
 * {@code unicode_regex_split} and Hugging Face's Sequence of Split / Digits / ByteLevel both work so.
 * Java's {@code \s} is Unicode White_Space only with {@link Pattern#UNICODE_CHARACTER_CLASS}.
 */
final class PreTokenizer {
    /** GPT-2's regex, as Hugging Face's ByteLevel pre-tokenizer writes it. */
    static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    /** Llama 3's regex; llama.cpp spells its case-insensitive contractions out, which is the same here. */
    static final String LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Qwen2's regex: Llama 3's with single digits. */
    static final String QWEN2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Hugging Face's Digits pre-tokenizer with individual_digits. */
    static final String SINGLE_DIGITS = "\\p{N}";

    private final List<Pattern> patterns;

    PreTokenizer(List<String> regexes) {
        this.patterns = regexes.stream().map(r -> Pattern.compile(r, Pattern.UNICODE_CHARACTER_CLASS)).toList();
    }

    /**
     * The regexes llama.cpp uses for a GGUF {@code tokenizer.ggml.pre} name; empty for a name this engine
     * does not know. Only the families the engine runs are listed.
     */
    static Optional<List<String>> regexesForGgufPre(String pre) {
        return Optional.ofNullable(switch (pre) {
            case "gpt2", "gpt-2", "mpt", "olmo" -> List.of(GPT2);
            case "smollm", "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva" ->
                    List.of(SINGLE_DIGITS, GPT2);
            case "llama3", "llama-v3", "llama-bpe", "falcon3", "dbrx", "smaug-bpe" -> List.of(LLAMA3);
            case "qwen2", "stablelm2", "deepseek-r1-qwen", "megrez" -> List.of(QWEN2);
            // What llama.cpp falls back to for GGUF files written before tokenizer.ggml.pre existed.
            case "default" -> List.of("[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2, "\\p{N}+", "[0-9][0-9][0-9]");
            default -> null;
        });
    }

    List<String> split(String text) {
        List<String> pieces = List.of(text);
        for (Pattern pattern : patterns) {
            List<String> next = new ArrayList<>();
            for (String piece : pieces) {
                splitOne(pattern, piece, next);
            }
            pieces = next;
        }
        return pieces;
    }

    private static void splitOne(Pattern pattern, String piece, List<String> out) {
        Matcher m = pattern.matcher(piece);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) {
                out.add(piece.substring(last, m.start()));
            }
            if (m.end() > m.start()) {
                out.add(piece.substring(m.start(), m.end()));
            }
            last = m.end();
        }
        if (last < piece.length()) {
            out.add(piece.substring(last));
        }
    }
}
