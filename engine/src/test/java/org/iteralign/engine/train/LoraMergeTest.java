package org.iteralign.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.iteralign.engine.gguf.GgufFile;
import org.iteralign.engine.model.LlamaModel;
import org.iteralign.engine.model.TinyModelTest;
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
}
