package org.iteralign.engine.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.iteralign.engine.model.LlamaConfig;

/**
 * Low-rank updates W' = W + (alpha / rank) · B · A for some weight matrices of every block
 * (Hu et al. 2021). A is {@code rank x in}, B is {@code out x rank}, both row-major, with rows in the
 * GGUF file's order (for arch "llama", Q and K rows are permuted against Hugging Face's; see
 * {@link PeftFormat}). The arrays are mutable: the trainer updates them in place.
 */
public final class LoraAdapter {
    private final LlamaConfig model;
    private final int rank;
    private final float alpha;
    private final float dropout;
    private final Set<Projection> targets;
    private final String baseModel;
    /** [layer][projection ordinal], null where the projection is not a target. */
    private final float[][][] a;
    private final float[][][] b;

    LoraAdapter(LlamaConfig model, int rank, float alpha, float dropout, Set<Projection> targets, String baseModel) {
        this.model = model;
        this.rank = rank;
        this.alpha = alpha;
        this.dropout = dropout;
        this.targets = Set.copyOf(targets);
        this.baseModel = baseModel;
        int kinds = Projection.values().length;
        this.a = new float[model.blockCount()][kinds][];
        this.b = new float[model.blockCount()][kinds][];
        for (int l = 0; l < model.blockCount(); l++) {
            for (Projection p : targets) {
                a[l][p.ordinal()] = new float[rank * p.in(model)];
                b[l][p.ordinal()] = new float[p.out(model) * rank];
            }
        }
    }

    /**
     * A fresh adapter that leaves the model unchanged: B is zero and A is drawn as PEFT does (Kaiming
     * uniform with a = sqrt(5), i.e. uniform in +-1/sqrt(in)), so training starts from the base model.
     */
    public static LoraAdapter create(LlamaConfig model, LoraConfig config, String baseModel) {
        LoraAdapter adapter = new LoraAdapter(model, config.rank(), config.alpha(), config.dropout(), config.targets(), baseModel);
        SplittableRandom rnd = new SplittableRandom(config.seed());
        for (int l = 0; l < model.blockCount(); l++) {
            for (Projection p : Projection.values()) {
                float[] al = adapter.a[l][p.ordinal()];
                if (al != null) {
                    double bound = 1 / Math.sqrt(p.in(model));
                    for (int i = 0; i < al.length; i++) {
                        al[i] = (float) rnd.nextDouble(-bound, bound);
                    }
                }
            }
        }
        return adapter;
    }

    /** Writes the adapter in Hugging Face PEFT's layout: adapter_config.json and adapter_model.safetensors. */
    public void save(Path dir) {
        PeftFormat.save(this, dir);
    }

    /** Reads an adapter saved by {@link #save} or by PEFT for a model of shape {@code model}. */
    public static LoraAdapter load(Path dir, LlamaConfig model) {
        return PeftFormat.load(dir, model);
    }

    /** Same shape, all zeros: gradients and optimiser moments. */
    LoraAdapter zerosLike() {
        return new LoraAdapter(model, rank, alpha, dropout, targets, baseModel);
    }

    LoraAdapter copy() {
        LoraAdapter c = zerosLike();
        List<float[]> from = tensors();
        List<float[]> to = c.tensors();
        for (int i = 0; i < from.size(); i++) {
            System.arraycopy(from.get(i), 0, to.get(i), 0, from.get(i).length);
        }
        return c;
    }

    /** Every A and B, in a fixed order (layer, projection, A before B). */
    List<float[]> tensors() {
        List<float[]> all = new ArrayList<>();
        for (int l = 0; l < a.length; l++) {
            for (int p = 0; p < a[l].length; p++) {
                if (a[l][p] != null) {
                    all.add(a[l][p]);
                    all.add(b[l][p]);
                }
            }
        }
        return all;
    }

    /** A of {@code p} in block {@code layer} (rank x in), or null when p is not a target. */
    public float[] a(int layer, Projection p) {
        return a[layer][p.ordinal()];
    }

    /** B of {@code p} in block {@code layer} (out x rank), or null when p is not a target. */
    public float[] b(int layer, Projection p) {
        return b[layer][p.ordinal()];
    }

    public LlamaConfig model() {
        return model;
    }

    public int rank() {
        return rank;
    }

    public float alpha() {
        return alpha;
    }

    public float scale() {
        return alpha / rank;
    }

    public float dropout() {
        return dropout;
    }

    public Set<Projection> targets() {
        return targets.isEmpty() ? Set.of() : EnumSet.copyOf(targets);
    }

    /** What the adapter was trained on, as PEFT's base_model_name_or_path records it. */
    public String baseModel() {
        return baseModel;
    }
}
