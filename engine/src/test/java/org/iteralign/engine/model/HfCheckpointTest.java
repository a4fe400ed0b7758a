package org.iteralign.engine.model;

import static org.iteralign.engine.model.TinyModelTest.DIM;
import static org.iteralign.engine.model.TinyModelTest.FFN;
import static org.iteralign.engine.model.TinyModelTest.HEADS;
import static org.iteralign.engine.model.TinyModelTest.HEAD_SIZE;
import static org.iteralign.engine.model.TinyModelTest.KV_HEADS;
import static org.iteralign.engine.model.TinyModelTest.LAYERS;
import static org.iteralign.engine.model.TinyModelTest.VOCAB;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.iteralign.engine.ModelFormatException;
import org.iteralign.engine.model.TinyModelTest.Spec;
import org.iteralign.engine.safetensors.SafetensorsDtype;
import org.iteralign.engine.safetensors.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tiny random checkpoints written twice by the test, as a Hugging Face folder and as the GGUF llama.cpp's
 * converter would make of it, must give the same logits.
 */
class HfCheckpointTest {
    private static final int[] TOKENS = {3, 17, 0, 22, 5, 5, 9, 1};

    @TempDir
    Path dir;

    @Test
    void llamaF32MatchesItsGgufConversion() throws IOException {
        Spec spec = TinyModelTest.randomSpec("llama", true, false, 11);
        Path hf = writeHf(spec, "LlamaForCausalLM", SafetensorsDtype.F32, false, "");
        Path gguf = TinyModelTest.write(spec, dir.resolve("m.gguf"));
        try (LlamaModel model = LlamaModel.load(hf)) {
            assertEquals(RopeStyle.NEOX, model.config().ropeStyle());
            assertEquals(hf, model.source());
            assertTrue(model.ggufFile().isEmpty());
            assertThrows(IllegalStateException.class, model::gguf);
        }
        // The converter's Q/K permutation reorders sums inside attention, so equal up to rounding.
        float[][] expected = logits(gguf);
        assertClose(expected, logits(hf), 1e-5);
        // transformers 5 moves rope_theta into rope_parameters.
        Path config = hf.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"rope_theta\":10000.0,", "")
                .replace("}", ",\"rope_parameters\":{\"rope_type\":\"default\",\"rope_theta\":10000.0}}"));
        assertClose(expected, logits(hf), 1e-5);
        Files.writeString(config, Files.readString(config).replace("\"rope_theta\":10000.0", "\"rope_theta\":500.0"));
        assertTrue(Math.abs(expected[5][0] - logits(hf)[5][0]) > 1e-4, "rope_theta inside rope_parameters is read");
    }

    @Test
    void shardedQwen2Bf16MatchesItsGgufBitForBit() throws IOException {
        Spec spec = bf16(TinyModelTest.randomSpec("qwen2", false, false, 12));
        Path hf = writeHf(spec, "Qwen2ForCausalLM", SafetensorsDtype.BF16, true, "");
        // Qwen2 keeps Hugging Face's layout in GGUF too, and BF16 decodes exactly to these F32 values.
        float[][] expected = logits(TinyModelTest.write(spec, dir.resolve("m.gguf")));
        float[][] got = logits(hf);
        for (int p = 0; p < TOKENS.length; p++) {
            assertArrayEquals(expected[p], got[p], "position " + p);
        }
    }

    @Test
    void llama3RopeScalingMatchesConvertedRopeFrequencies() throws IOException {
        Spec spec = TinyModelTest.randomSpec("llama", false, false, 13);
        // A short original context puts the head's five frequencies in all three of llama3's regimes.
        String scaling = ",\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":8.0,\"low_freq_factor\":1.0,"
                + "\"high_freq_factor\":4.0,\"original_max_position_embeddings\":64}";
        Path hf = writeHf(spec, "MistralForCausalLM", SafetensorsDtype.F32, false, scaling);
        float[] divisors = new float[HEAD_SIZE / 2];
        for (int i = 0; i < divisors.length; i++) {
            double freq = Math.pow(10000, -2.0 * i / HEAD_SIZE);
            double wavelength = 2 * Math.PI / freq;
            double scaled;
            if (wavelength < 64 / 4.0) {
                scaled = freq;
            } else if (wavelength > 64 / 1.0) {
                scaled = freq / 8;
            } else {
                double smooth = (64 / wavelength - 1) / (4 - 1);
                scaled = (1 - smooth) * freq / 8 + smooth * freq;
            }
            divisors[i] = (float) (freq / scaled);
        }
        assertEquals(1f, divisors[0]);
        assertEquals(8f, divisors[divisors.length - 1]);
        Spec converted = new Spec(spec.arch(), spec.tied(), divisors, spec.embedding(), spec.output(), spec.outputNorm(),
                spec.layers());
        assertClose(logits(TinyModelTest.write(converted, dir.resolve("m.gguf"))), logits(hf), 1e-5);
    }

    @Test
    void badCheckpointsAreFormatErrorsNamingTheFile() throws IOException {
        Spec spec = TinyModelTest.randomSpec("llama", true, false, 14);
        Path hf = writeHf(spec, "LlamaForCausalLM", SafetensorsDtype.F32, false, "");
        Path config = hf.resolve("config.json");
        String ok = Files.readString(config);
        assertRejected(hf, config, ok.replace("LlamaForCausalLM", "GPT2LMHeadModel"), "unsupported architectures");
        assertRejected(hf, config, ok.replace("\"hidden_size\":40,", ""), "'hidden_size' should be an integer");
        assertRejected(hf, config, ok.replace("\"hidden_size\":40", "\"hidden_size\":48"), "has shape");
        assertRejected(hf, config, ok.replace("\"num_hidden_layers\":2", "\"num_hidden_layers\":3"), "missing tensor");
        assertRejected(hf, config, ok.replace("}", ",\"rope_scaling\":{\"type\":\"yarn\",\"factor\":4}}"), "yarn");
        assertRejected(hf, config, ok.replace("\"tie_word_embeddings\":true", "\"tie_word_embeddings\":false"), "lm_head.weight");
        assertRejected(hf, config, ok.replace("\"silu\"", "\"gelu\""), "hidden_act");
        assertRejected(hf, config, ok.substring(1), "not valid JSON");
        Files.writeString(config, ok);
        Files.delete(hf.resolve("model.safetensors"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> LlamaModel.load(hf));
        assertTrue(e.reason().contains("no model.safetensors"), e.getMessage());
    }

    @Test
    void integerDtypeWeightsAreRefused() throws IOException {
        Path hf = Files.createDirectories(dir.resolve("ints"));
        Files.writeString(hf.resolve("config.json"), config("LlamaForCausalLM", true, ""));
        new SafetensorsWriter().tensor("model.layers.0.input_layernorm.weight", "I32", new long[] {DIM}, new byte[DIM * 4])
                .write(hf.resolve("model.safetensors"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> LlamaModel.load(hf));
        assertTrue(e.reason().contains("I32"), e.getMessage());
    }

    private void assertRejected(Path hf, Path config, String text, String reason) throws IOException {
        Files.writeString(config, text);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> LlamaModel.load(hf));
        assertTrue(e.reason().contains(reason), e.getMessage());
    }

    private static float[][] logits(Path model) {
        try (LlamaModel m = LlamaModel.load(model)) {
            KvCache cache = m.newCache();
            List<float[]> out = new ArrayList<>(List.of(
                    m.forward(List.of(cache), List.of(new int[] {3, 17, 0, 22}), LlamaModel.Logits.ALL).get(0)));
            for (int i = 4; i < TOKENS.length; i++) {
                out.add(m.forward(List.of(cache), List.of(new int[] {TOKENS[i]}), LlamaModel.Logits.LAST).get(0)[0]);
            }
            return out.toArray(float[][]::new);
        }
    }

    private static void assertClose(float[][] expected, float[][] actual, double tolerance) {
        for (int p = 0; p < expected.length; p++) {
            for (int v = 0; v < VOCAB; v++) {
                assertEquals(expected[p][v], actual[p][v], tolerance * Math.max(1, Math.abs(expected[p][v])),
                        "position " + p + " token " + v);
            }
        }
    }

    /** The spec with every value rounded to bfloat16. */
    private static Spec bf16(Spec s) {
        UnaryOperator<float[]> r = a -> {
            if (a == null) {
                return null;
            }
            float[] o = a.clone();
            for (int i = 0; i < o.length; i++) {
                o[i] = SafetensorsWriter.roundToBf16(o[i]);
            }
            return o;
        };
        List<float[][]> layers = new ArrayList<>();
        for (float[][] l : s.layers()) {
            float[][] c = new float[l.length][];
            for (int i = 0; i < l.length; i++) {
                c[i] = r.apply(l[i]);
            }
            layers.add(c);
        }
        float[] embedding = r.apply(s.embedding());
        return new Spec(s.arch(), s.tied(), r.apply(s.ropeFactors()), embedding, s.tied() ? embedding : r.apply(s.output()),
                r.apply(s.outputNorm()), layers);
    }

    private static String config(String architecture, boolean tied, String extra) {
        return "{\"architectures\":[\"" + architecture + "\"],\"hidden_size\":" + DIM + ",\"num_hidden_layers\":" + LAYERS
                + ",\"intermediate_size\":" + FFN + ",\"num_attention_heads\":" + HEADS + ",\"num_key_value_heads\":"
                + KV_HEADS + ",\"rms_norm_eps\":1e-05,\"rope_theta\":10000.0,\"max_position_embeddings\":64,"
                + "\"vocab_size\":" + VOCAB + ",\"hidden_act\":\"silu\",\"torch_dtype\":\"float32\",\"head_dim\":null"
                + (tied ? ",\"tie_word_embeddings\":true" : "") + extra + "}";
    }

    private Path writeHf(Spec s, String architecture, SafetensorsDtype dtype, boolean sharded, String extra)
            throws IOException {
        return writeHf(s, architecture, dtype, sharded, extra, dir);
    }

    /**
     * The checkpoint as Hugging Face stores it. For arch llama the spec is in GGUF layout, so Q and K rows
     * are put back where the converter's permutation took them from: GGUF row 2i + j of a head is Hugging
     * Face row j * n/2 + i. Returns the folder, {@code dir/hf-ARCHITECTURE}.
     */
    static Path writeHf(Spec s, String architecture, SafetensorsDtype dtype, boolean sharded, String extra, Path dir)
            throws IOException {
        Path hf = Files.createDirectories(dir.resolve("hf-" + architecture));
        Files.writeString(hf.resolve("config.json"), config(architecture, s.tied(), extra));
        boolean permuted = s.arch().equals("llama");
        int kv = KV_HEADS * HEAD_SIZE;
        SafetensorsWriter first = new SafetensorsWriter().metadata("format", "pt");
        SafetensorsWriter second = sharded ? new SafetensorsWriter() : first;
        first.tensor("model.embed_tokens.weight", dtype, s.embedding(), VOCAB, DIM);
        for (int l = 0; l < LAYERS; l++) {
            float[][] t = s.layers().get(l);
            String p = "model.layers." + l + ".";
            SafetensorsWriter w = l == 0 ? first : second;
            w.tensor(p + "input_layernorm.weight", dtype, t[0], DIM)
                    .tensor(p + "self_attn.q_proj.weight", dtype, permuted ? unpermute(t[1], HEADS) : t[1], DIM, DIM)
                    .tensor(p + "self_attn.k_proj.weight", dtype, permuted ? unpermute(t[2], KV_HEADS) : t[2], kv, DIM)
                    .tensor(p + "self_attn.v_proj.weight", dtype, t[3], kv, DIM)
                    .tensor(p + "self_attn.o_proj.weight", dtype, t[4], DIM, DIM)
                    .tensor(p + "post_attention_layernorm.weight", dtype, t[8], DIM)
                    .tensor(p + "mlp.gate_proj.weight", dtype, t[9], FFN, DIM)
                    .tensor(p + "mlp.up_proj.weight", dtype, t[10], FFN, DIM)
                    .tensor(p + "mlp.down_proj.weight", dtype, t[11], DIM, FFN);
            if (t[5] != null) {
                w.tensor(p + "self_attn.q_proj.bias", dtype, t[5], DIM)
                        .tensor(p + "self_attn.k_proj.bias", dtype, t[6], kv)
                        .tensor(p + "self_attn.v_proj.bias", dtype, t[7], kv);
            }
        }
        second.tensor("model.norm.weight", dtype, s.outputNorm(), DIM);
        if (!s.tied()) {
            second.tensor("lm_head.weight", dtype, s.output(), VOCAB, DIM);
        }
        if (!sharded) {
            first.write(hf.resolve("model.safetensors"));
            return hf;
        }
        first.write(hf.resolve("model-00001-of-00002.safetensors"));
        second.write(hf.resolve("model-00002-of-00002.safetensors"));
        StringBuilder index = new StringBuilder("{\"metadata\":{\"total_size\":0},\"weight_map\":{");
        index.append("\"model.embed_tokens.weight\":\"model-00001-of-00002.safetensors\",");
        index.append("\"model.norm.weight\":\"model-00002-of-00002.safetensors\"}}");
        Files.writeString(hf.resolve("model.safetensors.index.json"), index.toString());
        return hf;
    }

    private static float[] unpermute(float[] ggufRows, int heads) {
        float[] out = new float[ggufRows.length];
        int half = HEAD_SIZE / 2;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                for (int j = 0; j < 2; j++) {
                    System.arraycopy(ggufRows, (h * HEAD_SIZE + 2 * i + j) * DIM,
                            out, (h * HEAD_SIZE + j * half + i) * DIM, DIM);
                }
            }
        }
        return out;
    }
}
