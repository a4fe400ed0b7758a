package org.iteralign.engine.train;

import org.iteralign.engine.json.Json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.iteralign.engine.model.LlamaConfig;
import org.iteralign.engine.model.LlamaModel;
import org.iteralign.engine.model.TinyModelTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Adapters saved in PEFT's layout and read back. */
class LoraAdapterTest {
    @TempDir
    Path dir;

    static LoraAdapter randomAdapter(LlamaConfig c, long seed) {
        LoraAdapter adapter = LoraAdapter.create(c, LoraConfig.defaults().withRank(4, 8).withSeed(seed), "tiny-base");
        Random rnd = new Random(seed);
        for (int l = 0; l < c.blockCount(); l++) {
            for (Projection p : Projection.values()) {
                float[] b = adapter.b(l, p);
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) (rnd.nextGaussian() * 0.2);
                }
            }
        }
        return adapter;
    }

    @Test
    void savedAdapterReloadsToTheSameWeightsAndOutputs() throws IOException {
        TinyModelTest.Spec spec = TinyModelTest.randomSpec("llama", true, false, 21);
        try (LlamaModel model = LlamaModel.load(TinyModelTest.write(spec, dir.resolve("m.gguf")))) {
            LoraAdapter adapter = randomAdapter(model.config(), 5);
            adapter.save(dir.resolve("adapter"));
            LoraAdapter loaded = LoraAdapter.load(dir.resolve("adapter"), model.config());
            assertEquals(adapter.targets(), loaded.targets());
            assertEquals(adapter.rank(), loaded.rank());
            assertEquals(adapter.alpha(), loaded.alpha());
            assertEquals(adapter.dropout(), loaded.dropout());
            for (int i = 0; i < adapter.tensors().size(); i++) {
                assertArrayEquals(adapter.tensors().get(i), loaded.tensors().get(i), "tensor " + i);
            }
            TrainableLlama net = new TrainableLlama(FrozenBase.of(model));
            int[] tokens = {1, 5, 9, 13, 2, 22};
            float[][] before = net.logits(tokens, adapter);
            float[][] after = net.logits(tokens, loaded);
            for (int p = 0; p < tokens.length; p++) {
                assertArrayEquals(before[p], after[p]);
            }
        }
    }

    @Test
    void filesFollowPeftNamesShapesAndConfig() throws IOException {
        TinyModelTest.Spec spec = TinyModelTest.randomSpec("llama", true, false, 22);
        try (LlamaModel model = LlamaModel.load(TinyModelTest.write(spec, dir.resolve("m.gguf")))) {
            LlamaConfig c = model.config();
            LoraAdapter adapter = randomAdapter(c, 6);
            adapter.save(dir.resolve("adapter"));
            Map<?, ?> config = (Map<?, ?>) Json.parse(Files.readString(dir.resolve("adapter/adapter_config.json")));
            assertEquals("LORA", config.get("peft_type"));
            assertEquals("CAUSAL_LM", config.get("task_type"));
            assertEquals("none", config.get("bias"));
            assertEquals(4L, config.get("r"));
            assertEquals(8L, config.get("lora_alpha"));
            assertEquals(0.05, config.get("lora_dropout"));
            assertEquals("tiny-base", config.get("base_model_name_or_path"));
            assertEquals(List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
                    config.get("target_modules"));
            Map<String, Safetensors.Tensor> tensors = Safetensors.read(dir.resolve("adapter/adapter_model.safetensors"));
            assertEquals(2 * 7 * c.blockCount(), tensors.size());
            assertArrayEquals(new long[] {4, c.embeddingLength()},
                    tensors.get("base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight").shape());
            assertArrayEquals(new long[] {c.kvDim(), 4},
                    tensors.get("base_model.model.model.layers.0.self_attn.k_proj.lora_B.weight").shape());
            assertArrayEquals(new long[] {c.embeddingLength(), 4},
                    tensors.get("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight").shape());
            assertArrayEquals(new long[] {4, c.feedForwardLength()},
                    tensors.get("base_model.model.model.layers.1.mlp.down_proj.lora_A.weight").shape());
        }
    }

    /**
     * llama.cpp's convert_hf_to_gguf.py permute: reshape the rows to (heads, 2, hs/2), swap the last two
     * axes; so GGUF row h*hs + 2i + half holds Hugging Face row h*hs + half*hs/2 + i. Saved lora_B of
     * q_proj and k_proj must be in Hugging Face's order; other projections, and qwen2 (never permuted),
     * are saved as they are.
     */
    @Test
    void qAndKRowsAreSavedInHuggingFaceOrder() throws IOException {
        for (String arch : List.of("llama", "qwen2")) {
            TinyModelTest.Spec spec = TinyModelTest.randomSpec(arch, true, false, 23);
            try (LlamaModel model = LlamaModel.load(TinyModelTest.write(spec, dir.resolve(arch + ".gguf")))) {
                LlamaConfig c = model.config();
                LoraAdapter adapter = randomAdapter(c, 7);
                adapter.save(dir.resolve(arch));
                Map<String, Safetensors.Tensor> saved = Safetensors.read(dir.resolve(arch + "/adapter_model.safetensors"));
                int hs = c.headSize();
                for (Projection p : List.of(Projection.Q, Projection.K, Projection.V)) {
                    float[] gguf = adapter.b(1, p);
                    float[] hf = saved.get("base_model.model.model.layers.1.self_attn." + p.hfName() + ".lora_B.weight").data();
                    boolean permuted = arch.equals("llama") && p != Projection.V;
                    for (int row = 0; row < p.out(c); row++) {
                        int h = row / hs;
                        int i = row % hs / 2;
                        int half = row % 2;
                        int hfRow = permuted ? h * hs + half * hs / 2 + i : row;
                        for (int j = 0; j < 4; j++) {
                            assertEquals(gguf[row * 4 + j], hf[hfRow * 4 + j], arch + " " + p + " row " + row);
                        }
                    }
                }
            }
        }
    }

    @Test
    void adapterOfAnotherShapeIsRefused() throws IOException {
        TinyModelTest.Spec spec = TinyModelTest.randomSpec("llama", true, false, 24);
        try (LlamaModel model = LlamaModel.load(TinyModelTest.write(spec, dir.resolve("m.gguf")))) {
            LlamaConfig c = model.config();
            randomAdapter(c, 8).save(dir.resolve("adapter"));
            LlamaConfig wider = new LlamaConfig(c.architecture(), c.embeddingLength(), c.blockCount(), c.feedForwardLength() + 8,
                    c.headCount(), c.headCountKv(), c.headSize(), c.vocabularySize(), c.contextLength(), c.rmsNormEps(),
                    c.ropeFreqBase(), c.ropeDimensions(), c.ropeScale(), c.ropeStyle(), c.attentionBiases());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LoraAdapter.load(dir.resolve("adapter"), wider));
            assertEquals(true, e.getMessage().contains("gate_proj.lora_B.weight' has shape"), e.getMessage());
        }
    }
}
