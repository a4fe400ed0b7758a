package org.iteralign.engine.tokenizer;

import org.iteralign.engine.json.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.iteralign.engine.ModelFormatException;
import org.iteralign.engine.gguf.GgufFile;

/** Builds the tokenizer a model file describes. */
public final class Tokenizers {
    /**
     * Token texts that end generation although the file does not name them as EOS: end-of-turn markers
     * and the fill-in-the-middle pad, repository and file-separator tokens. These are llama.cpp's lists
     * (llama-cpp-python 0.3.36), so a model stops where it stops under llama.cpp.
     */
    private static final Set<String> END_OF_GENERATION_TEXTS = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>",
            "<|return|>", "<|call|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>",
            "<|end_of_text|>", "<end_of_utterance>", "</s>",
            "<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>",
            "<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>",
            "<|file_sep|>");

    private static final List<String> END_OF_GENERATION_KEYS = List.of("tokenizer.ggml.eot_token_id",
            "tokenizer.ggml.eom_token_id", "tokenizer.ggml.fim_pad_token_id", "tokenizer.ggml.fim_rep_token_id",
            "tokenizer.ggml.fim_sep_token_id");

    private static final Set<String> LLAMA3_PRE_NAMES = Set.of("llama3", "llama-v3", "llama-bpe", "falcon3");

    private Tokenizers() {
    }

    /**
     * From a GGUF file's {@code tokenizer.ggml.*} metadata: model "gpt2" is byte-level BPE with the
     * pre-tokenizer named by {@code tokenizer.ggml.pre}; model "llama" is SentencePiece BPE.
     */
    public static Tokenizer fromGguf(GgufFile gguf) {
        Path file = gguf.path();
        String model = gguf.findString("tokenizer.ggml.model")
                .orElseThrow(() -> new ModelFormatException(file, "no tokenizer.ggml.model: the file has no tokenizer"));
        List<String> texts = gguf.getStringArray("tokenizer.ggml.tokens");
        int[] typeCodes = gguf.findIntArray("tokenizer.ggml.token_type").orElse(new int[texts.size()]);
        List<TokenType> types = new ArrayList<>(texts.size());
        for (int code : typeCodes) {
            types.add(TokenType.fromGguf(code));
        }
        // llama.cpp makes every end-of-generation token a control token, even one the file calls normal
        // (Qwen's "</s>"), which changes how text holding it is split when specials are parsed.
        for (int id = 0; id < texts.size() && id < types.size(); id++) {
            if (END_OF_GENERATION_TEXTS.contains(texts.get(id))) {
                types.set(id, TokenType.CONTROL);
            }
        }
        Vocabulary vocabulary = vocabulary(file, texts, types);
        int bos = gguf.findInt("tokenizer.ggml.bos_token_id").orElse(-1);
        int eos = gguf.findInt("tokenizer.ggml.eos_token_id").orElse(-1);
        Set<Integer> eog = new HashSet<>();
        for (String key : END_OF_GENERATION_KEYS) {
            gguf.findInt(key).ifPresent(eog::add);
        }
        try {
            switch (model) {
                case "gpt2" -> {
                    String pre = gguf.findString("tokenizer.ggml.pre").orElse("default");
                    List<String> regexes = PreTokenizer.regexesForGgufPre(pre).orElseThrow(() ->
                            new ModelFormatException(file, "unsupported tokenizer.ggml.pre '" + pre + "'"));
                    // llama.cpp's Llama 3 settings: whole-word vocabulary hits skip the merges, and BOS is
                    // added even when the file does not say so.
                    boolean llama3 = LLAMA3_PRE_NAMES.contains(pre);
                    boolean addBos = gguf.findBoolean("tokenizer.ggml.add_bos_token").orElse(llama3);
                    return new ByteLevelBpeTokenizer(vocabulary, specials(vocabulary, bos, eos, addBos, eog),
                            gguf.getStringArray("tokenizer.ggml.merges"), new PreTokenizer(regexes), llama3, false);
                }
                case "llama" -> {
                    boolean addBos = gguf.findBoolean("tokenizer.ggml.add_bos_token").orElse(true);
                    boolean addSpacePrefix = gguf.findBoolean("tokenizer.ggml.add_space_prefix").orElse(true);
                    int unknown = gguf.findInt("tokenizer.ggml.unknown_token_id").orElse(0);
                    return new SentencePieceBpeTokenizer(vocabulary, gguf.getFloatArray("tokenizer.ggml.scores"),
                            specials(vocabulary, bos, eos, addBos, eog), addSpacePrefix, unknown);
                }
                default -> throw new ModelFormatException(file,
                        "unsupported tokenizer.ggml.model '" + model + "' (supported: gpt2, llama)");
            }
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, "bad tokenizer: " + e.getMessage(), e);
        }
    }

    /**
     * From a Hugging Face tokenizer.json (the file, or the folder holding it) with byte-level BPE, and the
     * tokenizer_config.json and generation_config.json beside it when present.
     */
    public static Tokenizer fromTokenizerJson(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        Path folder = file.toAbsolutePath().getParent();
        HfTokenizerConfig config = HfTokenizerConfig.read(folder.resolve("tokenizer_config.json"));
        Map<String, Object> json = readJsonObject(file);
        try {
            return fromTokenizerJson(file, json, config, generationEosIds(folder.resolve("generation_config.json")));
        } catch (ClassCastException | NullPointerException e) {
            throw new ModelFormatException(file, "unexpected tokenizer.json layout: " + e, e);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, "bad tokenizer: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Tokenizer fromTokenizerJson(Path file, Map<String, Object> json, HfTokenizerConfig config,
                                               List<Integer> generationEos) {
        Map<String, Object> model = (Map<String, Object>) json.get("model");
        if (!"BPE".equals(model.get("type"))) {
            throw new ModelFormatException(file, "unsupported model type '" + model.get("type") + "' (supported: BPE)");
        }
        Map<String, Object> vocab = (Map<String, Object>) model.get("vocab");
        List<Map<String, Object>> added = (List<Map<String, Object>>) json.getOrDefault("added_tokens", List.of());
        int size = 0;
        for (Object id : vocab.values()) {
            size = Math.max(size, ((Long) id).intValue() + 1);
        }
        for (Map<String, Object> token : added) {
            size = Math.max(size, ((Long) token.get("id")).intValue() + 1);
        }
        // Ids that neither list fills stay empty and unused rather than shift the ones after them.
        List<String> texts = new ArrayList<>(Collections.nCopies(size, ""));
        List<TokenType> types = new ArrayList<>(Collections.nCopies(size, TokenType.UNUSED));
        vocab.forEach((text, id) -> {
            texts.set(((Long) id).intValue(), text);
            types.set(((Long) id).intValue(), TokenType.NORMAL);
        });
        for (Map<String, Object> token : added) {
            int id = ((Long) token.get("id")).intValue();
            texts.set(id, (String) token.get("content"));
            types.set(id, Boolean.TRUE.equals(token.get("special")) ? TokenType.CONTROL : TokenType.USER_DEFINED);
        }
        Vocabulary vocabulary = vocabulary(file, texts, types);

        List<String> merges = new ArrayList<>();
        for (Object merge : (List<Object>) model.get("merges")) {
            // Older files write "left right", newer ones ["left", "right"].
            merges.add(merge instanceof List<?> pair ? pair.get(0) + " " + pair.get(1) : (String) merge);
        }
        List<String> regexes = new ArrayList<>();
        if (!byteLevelPreTokenizer((Map<String, Object>) json.get("pre_tokenizer"), regexes)) {
            throw new ModelFormatException(file, "only byte-level BPE tokenizers are supported (no ByteLevel pre-tokenizer)");
        }
        boolean nfc = normalizer(file, (Map<String, Object>) json.get("normalizer"));

        int bos = config.bosToken().map(vocabulary::id).orElse(-1);
        int eos = config.eosToken().map(vocabulary::id).orElse(-1);
        boolean addBos = config.addBosToken().orElseGet(() -> postProcessorAddsBos(json, config.bosToken()));
        Set<Integer> eog = new HashSet<>(generationEos);
        return new ByteLevelBpeTokenizer(vocabulary, specials(vocabulary, bos, eos, addBos, eog), merges,
                new PreTokenizer(regexes), Boolean.TRUE.equals(model.get("ignore_merges")), nfc);
    }

    /** Collects the split regexes of a (possibly Sequence) pre-tokenizer; true if it ends in ByteLevel. */
    @SuppressWarnings("unchecked")
    private static boolean byteLevelPreTokenizer(Map<String, Object> pre, List<String> regexes) {
        if (pre == null) {
            return false;
        }
        return switch ((String) pre.get("type")) {
            case "Sequence" -> {
                boolean byteLevel = false;
                for (Object step : (List<Object>) pre.get("pretokenizers")) {
                    byteLevel |= byteLevelPreTokenizer((Map<String, Object>) step, regexes);
                }
                yield byteLevel;
            }
            case "ByteLevel" -> {
                if (Boolean.TRUE.equals(pre.get("add_prefix_space"))) {
                    throw new IllegalArgumentException("ByteLevel add_prefix_space is not supported");
                }
                if (!Boolean.FALSE.equals(pre.get("use_regex"))) {
                    regexes.add(PreTokenizer.GPT2);
                }
                yield true;
            }
            case "Digits" -> {
                regexes.add(Boolean.TRUE.equals(pre.get("individual_digits")) ? "\\p{N}" : "\\p{N}+");
                yield false;
            }
            case "Split" -> {
                Map<String, Object> pattern = (Map<String, Object>) pre.get("pattern");
                if (!"Isolated".equals(pre.get("behavior")) || Boolean.TRUE.equals(pre.get("invert"))) {
                    throw new IllegalArgumentException("Split pre-tokenizer must be Isolated and not inverted");
                }
                regexes.add(pattern.containsKey("Regex") ? (String) pattern.get("Regex")
                        : Pattern.quote((String) pattern.get("String")));
                yield false;
            }
            default -> throw new IllegalArgumentException("unsupported pre-tokenizer " + pre.get("type"));
        };
    }

    /** True for NFC (Qwen2's); no normalizer is false; anything else is refused. */
    private static boolean normalizer(Path file, Map<String, Object> normalizer) {
        if (normalizer == null) {
            return false;
        }
        if ("NFC".equals(normalizer.get("type"))) {
            return true;
        }
        throw new ModelFormatException(file, "unsupported normalizer " + normalizer.get("type"));
    }

    /** Files without add_bos_token (Llama 3's) add BOS through a TemplateProcessing post-processor. */
    @SuppressWarnings("unchecked")
    private static boolean postProcessorAddsBos(Map<String, Object> json, Optional<String> bosToken) {
        Map<String, Object> post = (Map<String, Object>) json.get("post_processor");
        if (post == null || bosToken.isEmpty()) {
            return false;
        }
        List<Object> steps = "Sequence".equals(post.get("type"))
                ? (List<Object>) post.get("processors") : List.of(post);
        for (Object step : steps) {
            Map<String, Object> processor = (Map<String, Object>) step;
            if ("TemplateProcessing".equals(processor.get("type"))) {
                List<Object> single = (List<Object>) processor.get("single");
                Map<String, Object> first = single.isEmpty() ? Map.of() : (Map<String, Object>) single.getFirst();
                Map<String, Object> special = (Map<String, Object>) first.get("SpecialToken");
                return special != null && bosToken.get().equals(special.get("id"));
            }
        }
        return false;
    }

    /** generation_config.json's eos_token_id: one id or a list (Llama 3 lists its end-of-turn ids). */
    private static List<Integer> generationEosIds(Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        Object eos = readJsonObject(file).get("eos_token_id");
        List<Integer> ids = new ArrayList<>();
        if (eos instanceof Long id) {
            ids.add(id.intValue());
        } else if (eos instanceof List<?> list) {
            for (Object id : list) {
                ids.add(((Long) id).intValue());
            }
        }
        return ids;
    }

    private static Vocabulary vocabulary(Path file, List<String> texts, List<TokenType> types) {
        try {
            return new Vocabulary(texts, types);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, e.getMessage(), e);
        }
    }

    private static SpecialTokens specials(Vocabulary vocabulary, int bos, int eos, boolean addBos, Set<Integer> eog) {
        Set<Integer> endOfGeneration = new HashSet<>(eog);
        if (eos >= 0) {
            endOfGeneration.add(eos);
        }
        for (String text : END_OF_GENERATION_TEXTS) {
            int id = vocabulary.id(text);
            if (id >= 0) {
                endOfGeneration.add(id);
            }
        }
        endOfGeneration.removeIf(id -> id < 0 || id >= vocabulary.size());
        return new SpecialTokens(bos, eos, addBos, endOfGeneration);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> readJsonObject(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read: " + e.getMessage(), e);
        }
        try {
            if (Json.parse(text) instanceof Map<?, ?> map) {
                return (Map<String, Object>) map;
            }
            throw new ModelFormatException(file, "not a JSON object");
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, e.getMessage(), e);
        }
    }
}
