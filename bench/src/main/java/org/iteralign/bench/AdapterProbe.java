package org.iteralign.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.iteralign.engine.model.KvCache;
import org.iteralign.engine.model.LlamaModel;
import org.iteralign.engine.tensor.GgmlType;
import org.iteralign.engine.train.LoraAdapter;
import org.iteralign.engine.train.LoraMerge;
import org.iteralign.engine.train.TrainingExample;

/**
 * Our engine's logits for base + adapter on a probe sequence, for the PEFT side to compare with after it loads
 * the same adapter folder with {@code peft}. The adapter is merged in F32 (exact up to float rounding), and only a
 * fixed sample of the vocabulary plus each position's top token is kept, which is enough for mean and max
 * differences and the top-1 check while keeping the file small.
 */
record AdapterProbe(int[] tokens, int[] sampleIds, float[][] sampled, int[] top1) {
    private static final int PROBE_TOKENS = 48;
    private static final int SAMPLE = 64;

    static AdapterProbe record(LlamaModel base, LoraAdapter adapter, Path work, TrainingExample example) {
        Path merged = work.resolve("merged-f32.gguf");
        LoraMerge.writeGguf(base, adapter, merged, GgmlType.F32);
        int[] tokens = Arrays.copyOf(example.tokens(), PROBE_TOKENS);
        int vocabulary = base.config().vocabularySize();
        int[] sampleIds = new Random(11).ints(SAMPLE, 0, vocabulary).toArray();
        try (LlamaModel adapted = LlamaModel.load(merged)) {
            KvCache cache = adapted.newCache();
            float[][] logits = adapted.forward(List.of(cache), List.of(tokens), LlamaModel.Logits.ALL).getFirst();
            float[][] sampled = new float[tokens.length][SAMPLE];
            int[] top1 = new int[tokens.length];
            for (int p = 0; p < tokens.length; p++) {
                for (int i = 0; i < SAMPLE; i++) {
                    sampled[p][i] = logits[p][sampleIds[i]];
                }
                top1[p] = argmax(logits[p]);
            }
            return new AdapterProbe(tokens, sampleIds, sampled, top1);
        }
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("tokens", ints(tokens));
        json.put("sample_ids", ints(sampleIds));
        List<Object> rows = new ArrayList<>();
        for (float[] row : sampled) {
            List<Object> values = new ArrayList<>();
            for (float v : row) {
                values.add((double) v);
            }
            rows.add(values);
        }
        json.put("sampled_logits", rows);
        json.put("top1", ints(top1));
        return json;
    }

    private static List<Object> ints(int[] values) {
        List<Object> out = new ArrayList<>();
        for (int v : values) {
            out.add(v);
        }
        return out;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
