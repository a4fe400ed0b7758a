package org.iteralign.engine.train;

import org.iteralign.engine.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.iteralign.engine.model.LlamaConfig;
import org.iteralign.engine.model.RopeStyle;

/**
 * Adapters in Hugging Face PEFT's layout, so PEFT, vLLM or llama.cpp's convert_lora_to_gguf.py can use
 * what the engine trains: adapter_config.json and adapter_model.safetensors with tensors named
 * {@code base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight} ([r, in]) and
 * {@code ...lora_B.weight} ([out, r]).
 *
 * <p>llama.cpp's converter permutes the rows of Q and K for arch "llama" so that RoPE's pairs sit next
 * to each other (its {@code permute}: within each head, row {@code half * hs/2 + i} moves to
 * {@code 2i + half}). The engine trains in the GGUF's order, so lora_B of q_proj and k_proj is
 * un-permuted on save and permuted again on load; lora_A acts on the input side and is unaffected.
 */
final class PeftFormat {
    static final String CONFIG = "adapter_config.json";
    static final String WEIGHTS = "adapter_model.safetensors";

    private PeftFormat() {}

    static void save(LoraAdapter adapter, Path dir) {
        LlamaConfig c = adapter.model();
        Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
        for (int l = 0; l < c.blockCount(); l++) {
            for (Projection p : adapter.targets()) {
                String prefix = "base_model.model." + p.hfModule(l);
                tensors.put(prefix + ".lora_A.weight",
                        new Safetensors.Tensor(new long[] {adapter.rank(), p.in(c)}, adapter.a(l, p).clone()));
                tensors.put(prefix + ".lora_B.weight",
                        new Safetensors.Tensor(new long[] {p.out(c), adapter.rank()}, toHf(adapter.b(l, p), p, adapter)));
            }
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("peft_type", "LORA");
        config.put("task_type", "CAUSAL_LM");
        config.put("base_model_name_or_path", adapter.baseModel());
        config.put("r", adapter.rank());
        // PEFT types lora_alpha as an int; a whole alpha is written as one so strict readers accept it.
        float alpha = adapter.alpha();
        config.put("lora_alpha", alpha == Math.rint(alpha) ? (Object) (long) alpha : (Object) alpha);
        config.put("lora_dropout", adapter.dropout());
        config.put("target_modules", adapter.targets().stream().map(Projection::hfName).toList());
        config.put("bias", "none");
        config.put("fan_in_fan_out", false);
        config.put("use_rslora", false);
        config.put("use_dora", false);
        config.put("inference_mode", true);
        config.put("modules_to_save", null);
        try {
            Files.createDirectories(dir);
            Safetensors.write(dir.resolve(WEIGHTS), tensors, Map.of("format", "pt"));
            Files.writeString(dir.resolve(CONFIG), Json.write(config) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write adapter to " + dir + ": " + e.getMessage(), e);
        }
    }

    static LoraAdapter load(Path dir, LlamaConfig c) {
        Path configFile = dir.resolve(CONFIG);
        Map<?, ?> config;
        try {
            if (!(Json.parse(Files.readString(configFile, StandardCharsets.UTF_8)) instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException(configFile + ": not a JSON object");
            }
            config = m;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + configFile + ": " + e.getMessage(), e);
        }
        if (!"LORA".equals(config.get("peft_type"))) {
            throw new IllegalArgumentException(configFile + ": peft_type is " + config.get("peft_type") + ", not LORA");
        }
        if (Boolean.TRUE.equals(config.get("use_rslora")) || Boolean.TRUE.equals(config.get("use_dora"))
                || Boolean.TRUE.equals(config.get("fan_in_fan_out"))) {
            throw new IllegalArgumentException(configFile + ": rsLoRA, DoRA and fan_in_fan_out adapters are not supported");
        }
        if (!(config.get("r") instanceof Number r) || !(config.get("lora_alpha") instanceof Number alpha)
                || !(config.get("target_modules") instanceof List<?> modules)) {
            throw new IllegalArgumentException(configFile + ": needs r, lora_alpha and a list of target_modules");
        }
        Set<Projection> targets = EnumSet.noneOf(Projection.class);
        for (Object m : modules) {
            targets.add(Projection.fromHfName(String.valueOf(m)));
        }
        float dropout = config.get("lora_dropout") instanceof Number d ? d.floatValue() : 0;
        String baseModel = config.get("base_model_name_or_path") instanceof String s ? s : "";
        LoraAdapter adapter = new LoraAdapter(c, r.intValue(), alpha.floatValue(), dropout, targets, baseModel);
        Map<String, Safetensors.Tensor> tensors = Safetensors.read(dir.resolve(WEIGHTS));
        for (int l = 0; l < c.blockCount(); l++) {
            for (Projection p : targets) {
                String prefix = "base_model.model." + p.hfModule(l);
                float[] a = tensor(tensors, prefix + ".lora_A.weight", adapter.rank(), p.in(c), dir);
                float[] b = tensor(tensors, prefix + ".lora_B.weight", p.out(c), adapter.rank(), dir);
                System.arraycopy(a, 0, adapter.a(l, p), 0, a.length);
                System.arraycopy(fromHf(b, p, adapter), 0, adapter.b(l, p), 0, b.length);
            }
        }
        return adapter;
    }

    private static float[] tensor(Map<String, Safetensors.Tensor> tensors, String name, long rows, long columns, Path dir) {
        Safetensors.Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(dir.resolve(WEIGHTS) + ": missing tensor '" + name + "'");
        }
        if (t.shape().length != 2 || t.shape()[0] != rows || t.shape()[1] != columns) {
            throw new IllegalArgumentException(dir.resolve(WEIGHTS) + ": tensor '" + name + "' has shape "
                    + java.util.Arrays.toString(t.shape()) + ", the model needs [" + rows + ", " + columns + "]");
        }
        return t.data();
    }

    /** Rows of B from GGUF order to Hugging Face order. */
    static float[] toHf(float[] b, Projection p, LoraAdapter adapter) {
        return permuteRows(b, p, adapter, true);
    }

    /** Rows of B from Hugging Face order to GGUF order. */
    static float[] fromHf(float[] b, Projection p, LoraAdapter adapter) {
        return permuteRows(b, p, adapter, false);
    }

    private static float[] permuteRows(float[] b, Projection p, LoraAdapter adapter, boolean toHf) {
        LlamaConfig c = adapter.model();
        if (c.ropeStyle() != RopeStyle.INTERLEAVED || (p != Projection.Q && p != Projection.K)) {
            return b.clone();
        }
        int heads = p == Projection.Q ? c.headCount() : c.headCountKv();
        int hs = c.headSize();
        int r = adapter.rank();
        float[] out = new float[b.length];
        List<int[]> moves = new ArrayList<>();
        for (int h = 0; h < heads; h++) {
            for (int half = 0; half < 2; half++) {
                for (int i = 0; i < hs / 2; i++) {
                    moves.add(new int[] {h * hs + 2 * i + half, h * hs + half * (hs / 2) + i});
                }
            }
        }
        for (int[] m : moves) {
            int from = toHf ? m[0] : m[1];
            int to = toHf ? m[1] : m[0];
            System.arraycopy(b, from * r, out, to * r, r);
        }
        return out;
    }
}
