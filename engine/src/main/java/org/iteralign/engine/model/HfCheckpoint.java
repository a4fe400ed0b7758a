package org.iteralign.engine.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.iteralign.engine.ModelFormatException;
import org.iteralign.engine.safetensors.HfModelFolder;
import org.iteralign.engine.safetensors.SafetensorsTensor;
import org.iteralign.engine.tensor.FloatTensor;
import org.iteralign.engine.tensor.GgmlType;

/**
 * Reads a Hugging Face Llama, Mistral or Qwen2 checkpoint (config.json + safetensors in F32, F16 or BF16)
 * into the engine's config and weights. Matrices stay in the memory map: a Hugging Face weight of shape
 * [out, in] has the bytes of a ggml matrix with dims [in, out].
 *
 * <p>Hugging Face keeps Q and K in the layout where dimension i of a head rotates with i + n/2; llama.cpp's
 * converter permutes those rows for arch "llama" so that pairs are adjacent. The weights are used as
 * they are, with {@link RopeStyle#NEOX}, which computes the same attention without copying them.
 */
final class HfCheckpoint {
    private HfCheckpoint() {}

    static LlamaModel load(Path dir) {
        HfModelFolder folder = HfModelFolder.open(dir);
        try {
            Path configFile = folder.configFile();
            Config raw = new Config(configFile, folder.config());
            LlamaConfig config = config(raw);
            float[] factors = ropeFactors(raw, config);
            LlamaWeights weights = weights(folder, config, factors, raw.bool("tie_word_embeddings", false));
            return new LlamaModel(dir, null, config, weights, folder::close);
        } catch (RuntimeException e) {
            folder.close();
            throw e;
        }
    }

    private static LlamaConfig config(Config c) {
        String arch = switch (c.architecture()) {
            case "LlamaForCausalLM", "MistralForCausalLM" -> "llama";
            case "Qwen2ForCausalLM" -> "qwen2";
            default -> throw c.error("unsupported architectures " + c.map.get("architectures")
                    + " (supported: LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM)");
        };
        String act = c.string("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw c.error("unsupported hidden_act '" + act + "' (supported: silu)");
        }
        if (c.bool("mlp_bias", false) || arch.equals("llama") && c.bool("attention_bias", false)) {
            throw c.error("biases on the MLP or the attention output are not supported");
        }
        int dim = c.integer("hidden_size");
        int heads = c.integer("num_attention_heads");
        int headSize = c.map.get("head_dim") == null ? (heads > 0 ? dim / heads : 0) : c.integer("head_dim");
        try {
            return new LlamaConfig(arch, dim,
                    c.integer("num_hidden_layers"),
                    c.integer("intermediate_size"),
                    heads,
                    c.map.get("num_key_value_heads") == null ? heads : c.integer("num_key_value_heads"),
                    headSize,
                    c.integer("vocab_size"),
                    c.integer("max_position_embeddings"),
                    (float) c.number("rms_norm_eps", Double.NaN),
                    (float) (c.map.containsKey("rope_theta") ? c.number("rope_theta", 10000)
                            : c.scaling().number("rope_theta", 10000)),
                    headSize,
                    ropeScaleFactor(c) == null ? 1f : 1f / ropeScaleFactor(c).floatValue(),
                    RopeStyle.NEOX,
                    arch.equals("qwen2"));
        } catch (IllegalArgumentException e) {
            throw c.error("bad model configuration: " + e.getMessage());
        }
    }

    /** The factor of linear RoPE scaling; null for none or llama3 (which scales by frequency instead). */
    private static Double ropeScaleFactor(Config c) {
        return c.ropeType().equals("linear") ? c.scaling().number("factor", Double.NaN) : null;
    }

    /**
     * Per rotated pair, the divisor of its frequency. Llama 3.1's scaling leaves high frequencies alone,
     * divides low ones by {@code factor} and blends in between; llama.cpp's converter stores the same
     * divisors as rope_freqs.weight.
     */
    private static float[] ropeFactors(Config c, LlamaConfig config) {
        float[] factors = new float[config.ropeDimensions() / 2];
        Arrays.fill(factors, 1f);
        if (!c.ropeType().equals("llama3")) {
            return factors;
        }
        Config s = c.scaling();
        double factor = s.number("factor", 8);
        double low = s.number("low_freq_factor", 1);
        double high = s.number("high_freq_factor", 4);
        double oldContext = s.number("original_max_position_embeddings", 8192);
        if (!(factor > 0 && low > 0 && high > low && oldContext > 0)) {
            throw c.error("bad llama3 RoPE scaling " + s.map);
        }
        int n = config.ropeDimensions();
        for (int i = 0; i < factors.length; i++) {
            double freq = 1 / Math.pow(config.ropeFreqBase(), 2.0 * i / n);
            double wavelength = 2 * Math.PI / freq;
            if (wavelength > oldContext / low) {
                factors[i] = (float) factor;
            } else if (wavelength >= oldContext / high) {
                double smooth = (oldContext / wavelength - low) / (high - low);
                factors[i] = (float) (1 / ((1 - smooth) / factor + smooth));
            }
        }
        return factors;
    }

    private static LlamaWeights weights(HfModelFolder f, LlamaConfig c, float[] ropeFactors, boolean tied) {
        int dim = c.embeddingLength();
        List<LlamaWeights.Layer> layers = new ArrayList<>();
        for (int i = 0; i < c.blockCount(); i++) {
            String p = "model.layers." + i + ".";
            boolean bias = c.attentionBiases();
            layers.add(new LlamaWeights.Layer(
                    vector(f, p + "input_layernorm.weight", dim),
                    matrix(f, p + "self_attn.q_proj.weight", c.qDim(), dim),
                    matrix(f, p + "self_attn.k_proj.weight", c.kvDim(), dim),
                    matrix(f, p + "self_attn.v_proj.weight", c.kvDim(), dim),
                    matrix(f, p + "self_attn.o_proj.weight", dim, c.qDim()),
                    bias ? vector(f, p + "self_attn.q_proj.bias", c.qDim()) : null,
                    bias ? vector(f, p + "self_attn.k_proj.bias", c.kvDim()) : null,
                    bias ? vector(f, p + "self_attn.v_proj.bias", c.kvDim()) : null,
                    vector(f, p + "post_attention_layernorm.weight", dim),
                    matrix(f, p + "mlp.gate_proj.weight", c.feedForwardLength(), dim),
                    matrix(f, p + "mlp.up_proj.weight", c.feedForwardLength(), dim),
                    matrix(f, p + "mlp.down_proj.weight", dim, c.feedForwardLength())));
        }
        FloatTensor embedding = matrix(f, "model.embed_tokens.weight", c.vocabularySize(), dim);
        FloatTensor output = tied ? embedding : matrix(f, "lm_head.weight", c.vocabularySize(), dim);
        return new LlamaWeights(embedding, List.copyOf(layers), vector(f, "model.norm.weight", dim), output, ropeFactors);
    }

    private static FloatTensor matrix(HfModelFolder f, String name, long rows, long columns) {
        SafetensorsTensor t = shaped(f, name, rows, columns);
        return FloatTensor.of(type(f, t), t.data(), t.elementCount());
    }

    private static float[] vector(HfModelFolder f, String name, int length) {
        SafetensorsTensor t = shaped(f, name, length);
        float[] out = new float[length];
        FloatTensor.of(type(f, t), t.data(), length).dequantize(0, out, 0, length);
        return out;
    }

    private static GgmlType type(HfModelFolder f, SafetensorsTensor t) {
        return t.dtype().ggmlType().orElseThrow(() -> new ModelFormatException(f.fileOf(t.name()), "tensor '"
                + t.name() + "' is " + t.dtype() + ", which the engine cannot compute with (supported: F32, F16, BF16)"));
    }

    private static SafetensorsTensor shaped(HfModelFolder f, String name, long... shape) {
        SafetensorsTensor t = f.findTensor(name)
                .orElseThrow(() -> new ModelFormatException(f.dir(), "missing tensor '" + name + "'"));
        if (!Arrays.equals(t.shape(), shape)) {
            throw new ModelFormatException(f.fileOf(name), "tensor '" + name + "' has shape "
                    + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(shape));
        }
        return t;
    }

    /** Typed reads of config.json values; a missing or mistyped value is a format error naming the key. */
    private record Config(Path file, Map<?, ?> map) {
        String architecture() {
            if (!(map.get("architectures") instanceof List<?> list) || list.size() != 1
                    || !(list.getFirst() instanceof String s)) {
                throw error("'architectures' should list one architecture, is " + map.get("architectures"));
            }
            return s;
        }

        /**
         * The RoPE parameters: transformers 5 writes them as rope_parameters (with rope_theta inside),
         * earlier versions as rope_scaling; an empty config when there are none.
         */
        Config scaling() {
            String key = ropeKey();
            Object value = map.get(key);
            if (value == null) {
                return new Config(file, Map.of());
            }
            if (!(value instanceof Map<?, ?> m)) {
                throw error("'" + key + "' should be an object, is " + value);
            }
            return new Config(file, m);
        }

        private String ropeKey() {
            return map.get("rope_parameters") != null ? "rope_parameters" : "rope_scaling";
        }

        /** "default", "linear" or "llama3": the transformers key is rope_type, older files say type. */
        String ropeType() {
            Map<?, ?> m = scaling().map;
            if (m.isEmpty()) {
                return "default";
            }
            Object type = m.containsKey("rope_type") ? m.get("rope_type") : m.get("type");
            String t = type == null && m.containsKey("rope_theta") ? "default"
                    : type instanceof String s ? s.toLowerCase(Locale.ROOT) : "";
            return switch (t) {
                case "default", "linear", "llama3" -> t;
                default -> throw error("unsupported RoPE scaling " + m + " (supported: linear, llama3)");
            };
        }

        int integer(String key) {
            if (!(map.get(key) instanceof Long l) || l != (int) (long) l) {
                throw error("'" + key + "' should be an integer, is " + map.get(key));
            }
            return (int) (long) l;
        }

        double number(String key, double fallback) {
            Object v = map.get(key);
            if (v == null && !Double.isNaN(fallback)) {
                return fallback;
            }
            if (!(v instanceof Number n)) {
                throw error("'" + key + "' should be a number, is " + v);
            }
            return n.doubleValue();
        }

        boolean bool(String key, boolean fallback) {
            Object v = map.get(key);
            if (v == null) {
                return fallback;
            }
            if (!(v instanceof Boolean b)) {
                throw error("'" + key + "' should be true or false, is " + v);
            }
            return b;
        }

        String string(String key, String fallback) {
            Object v = map.get(key);
            if (v == null) {
                return fallback;
            }
            if (!(v instanceof String s)) {
                throw error("'" + key + "' should be a string, is " + v);
            }
            return s;
        }

        ModelFormatException error(String reason) {
            return new ModelFormatException(file, reason);
        }
    }
}
