package org.iteralign.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.iteralign.engine.gguf.GgufFile;
import org.iteralign.engine.gguf.GgufTensor;
import org.iteralign.engine.model.LlamaModel;
import org.iteralign.engine.model.TinyModelTest;
import org.iteralign.engine.model.TinyQuantModel;
import org.iteralign.engine.tensor.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A merged GGUF computes what the base with its adapter computes. */
class LoraMergeTest {
    @TempDir
    Path dir;

    @Test
    void mergedModelGivesTheAdaptedLogits() throws IOException {
        for (TinyModelTest.Spec spec : List.of(TinyModelTest.randomSpec("llama", true, false, 31),
                TinyModelTest.randomSpec("qwen2", false, true, 32))) {
            try (LlamaModel base = LlamaModel.load(TinyModelTest.write(spec, dir.resolve(spec.arch() + ".gguf")))) {
                LoraAdapter adapter = LoraAdapterTest.randomAdapter(base.config(), 9);
                int[] tokens = {1, 4, 16, 3, 8, 21, 0};
                float[][] expected = new TrainableLlama(FrozenBase.of(base)).logits(tokens, adapter);
                float[][] unadapted = base.forward(List.of(base.newCache()), List.of(tokens), LlamaModel.Logits.ALL).get(0);
                Path merged = dir.resolve(spec.arch() + "-merged.gguf");
                LoraMerge.writeGguf(base, adapter, merged, GgmlType.F32);
                try (LlamaModel tuned = LlamaModel.load(merged); GgufFile file = GgufFile.open(merged)) {
                    assertEquals(base.gguf().metadata().keySet(), file.metadata().keySet());
                    assertEquals(GgmlType.F32, file.tensor("blk.1.ffn_down.weight").type());
                    float[][] got = tuned.forward(List.of(tuned.newCache()), List.of(tokens), LlamaModel.Logits.ALL).get(0);
                    double changed = 0;
                    for (int p = 0; p < tokens.length; p++) {
                        for (int v = 0; v < got[p].length; v++) {
                            assertEquals(expected[p][v], got[p][v], 1e-4 * Math.max(1, Math.abs(expected[p][v])), spec.arch());
                            changed = Math.max(changed, Math.abs(unadapted[p][v] - got[p][v]));
                        }
                    }
                    assertTrue(changed > 0.1, "the adapter should change the logits, changed at most " + changed);
                }
            }
        }
    }

    @Test
    void q8_0MergeQuantisesTheFloatMatricesAsLlamaCppWouldAndKeepsTheRest() throws IOException {
        TinyQuantModel spec = TinyQuantModel.create("merge", "qwen2", 41, 2, 1e6f, false, null);
        try (LlamaModel base = LlamaModel.load(spec.write(dir.resolve("base.gguf"), GgmlType.F32))) {
            LoraAdapter adapter = LoraAdapterTest.randomAdapter(base.config(), 12);
            Path f32 = dir.resolve("f32.gguf");
            Path q8 = dir.resolve("q8.gguf");
            LoraMerge.writeGguf(base, adapter, f32, GgmlType.F32);
            LoraMerge.writeGguf(base, adapter, q8, GgmlType.Q8_0);
            try (GgufFile exact = GgufFile.open(f32); GgufFile file = GgufFile.open(q8)) {
                assertEquals(base.gguf().metadata().keySet(), file.metadata().keySet());
                for (GgufTensor t : file.tensors().values()) {
                    GgmlType expected = t.rank() == 2 ? GgmlType.Q8_0 : GgmlType.F32;
                    assertEquals(expected, t.type(), t.name() + ": matrices Q8_0, norms and biases as they were");
                    if (expected == GgmlType.Q8_0) {
                        assertArrayEquals(q8_0(exact.tensor(t.name())), t.data().toArray(ValueLayout.JAVA_BYTE),
                                t.name() + " holds the exact merge, quantised");
                    }
                }
            }
            int[] tokens = {1, 4, 16, 3, 8, 21, 0, 200, 255, 17};
            try (LlamaModel exact = LlamaModel.load(f32); LlamaModel quantised = LlamaModel.load(q8)) {
                float[][] want = exact.forward(List.of(exact.newCache()), List.of(tokens), LlamaModel.Logits.ALL).get(0);
                float[][] got = quantised.forward(List.of(quantised.newCache()), List.of(tokens), LlamaModel.Logits.ALL).get(0);
                double max = 0;
                for (int p = 0; p < tokens.length; p++) {
                    for (int v = 0; v < got[p].length; v++) {
                        max = Math.max(max, Math.abs(want[p][v] - got[p][v]));
                    }
                }
                // Measured 0.10 on logits of RMS 1.2: this random model is as sensitive to 8-bit weights as the
                // tiny models TinyQuantModelsTest runs (llama.cpp's Q8_0 differs from our F32 by as much).
                assertTrue(max < 0.15, "Q8_0 merge moved the logits by up to " + max);
            }
        }
    }

    @Test
    void q8_0MergeKeepsQuantisedMatricesAndFallsBackToF16ForRowsOfPartialBlocks() throws IOException {
        TinyQuantModel spec = TinyQuantModel.create("merge", "llama", 42, 1, 1e4f, true, null);
        try (LlamaModel base = LlamaModel.load(spec.write(dir.resolve("q4.gguf"), GgmlType.Q4_0))) {
            Path q8 = dir.resolve("q4-merged.gguf");
            LoraMerge.writeGguf(base, LoraAdapterTest.randomAdapter(base.config(), 13), q8, GgmlType.Q8_0);
            try (GgufFile file = GgufFile.open(q8)) {
                assertEquals(GgmlType.Q8_0, file.tensor("blk.0.attn_q.weight").type());
                GgufTensor embedding = file.tensor("token_embd.weight");
                assertEquals(GgmlType.Q4_0, embedding.type(), "an already quantised matrix is not re-encoded");
                assertArrayEquals(base.gguf().tensor("token_embd.weight").data().toArray(ValueLayout.JAVA_BYTE),
                        embedding.data().toArray(ValueLayout.JAVA_BYTE));
            }
        }
        // TinyModelTest's rows are 40 values long: no whole number of 32-value blocks.
        TinyModelTest.Spec small = TinyModelTest.randomSpec("llama", false, false, 43);
        try (LlamaModel base = LlamaModel.load(TinyModelTest.write(small, dir.resolve("small.gguf")))) {
            Path q8 = dir.resolve("small-merged.gguf");
            LoraMerge.writeGguf(base, LoraAdapterTest.randomAdapter(base.config(), 14), q8, GgmlType.Q8_0);
            try (GgufFile file = GgufFile.open(q8); LlamaModel merged = LlamaModel.load(q8)) {
                assertEquals(GgmlType.F16, file.tensor("blk.1.ffn_up.weight").type());
                assertEquals(GgmlType.F32, file.tensor("output.weight").type());
                assertEquals(TinyModelTest.VOCAB, merged.config().vocabularySize());
            }
        }
    }

    private static byte[] q8_0(GgufTensor f32) {
        float[] values = new float[Math.toIntExact(f32.elementCount())];
        f32.data().asByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        ByteBuffer out = ByteBuffer.allocate(Q8_0Quantizer.byteSize(values.length));
        Q8_0Quantizer.quantize(values, 0, values.length, out);
        return out.array();
    }
}
