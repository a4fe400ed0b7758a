package org.iteralign.engine.safetensors;

import org.iteralign.engine.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.iteralign.engine.ModelFormatException;

/**
 * A Hugging Face model folder: {@code config.json} and the weights, either one {@code model.safetensors}
 * or the shards named by {@code model.safetensors.index.json}. All shards are mapped at once and their
 * tensors looked up by name, whichever shard holds them.
 */
public final class HfModelFolder implements AutoCloseable {
    public static final String CONFIG = "config.json";
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";
    /** The index of a very large checkpoint is well under a megabyte; anything this big is not one. */
    private static final long MAX_JSON_BYTES = 64 << 20;

    private final Path dir;
    private final Map<String, Object> config;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> byTensor;

    private HfModelFolder(Path dir, Map<String, Object> config, List<SafetensorsFile> files,
                          Map<String, SafetensorsFile> byTensor) {
        this.dir = dir;
        this.config = config;
        this.files = files;
        this.byTensor = byTensor;
    }

    /** Reads config.json and maps every weight file; the caller closes the result. */
    public static HfModelFolder open(Path dir) {
        Map<String, Object> config = jsonObject(dir.resolve(CONFIG));
        List<String> shards = shardNames(dir);
        List<SafetensorsFile> files = new ArrayList<>();
        try {
            Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
            for (String shard : shards) {
                SafetensorsFile f = SafetensorsFile.open(dir.resolve(shard));
                files.add(f);
                for (String name : f.tensors().keySet()) {
                    SafetensorsFile other = byTensor.putIfAbsent(name, f);
                    if (other != null) {
                        throw new ModelFormatException(f.path(), "tensor '" + name + "' is also in " + other.path());
                    }
                }
            }
            return new HfModelFolder(dir, config, List.copyOf(files), Collections.unmodifiableMap(byTensor));
        } catch (RuntimeException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static List<String> shardNames(Path dir) {
        Path index = dir.resolve(INDEX);
        if (!Files.exists(index)) {
            if (!Files.exists(dir.resolve(SINGLE_FILE))) {
                throw new ModelFormatException(dir, "no " + SINGLE_FILE + " or " + INDEX);
            }
            return List.of(SINGLE_FILE);
        }
        if (!(jsonObject(index).get("weight_map") instanceof Map<?, ?> map)) {
            throw new ModelFormatException(index, "no weight_map object");
        }
        List<String> shards = new ArrayList<>();
        for (Object shard : map.values()) {
            // Shards are siblings of the index; anything else would let a file point outside the folder.
            if (!(shard instanceof String s) || s.isEmpty() || s.contains("/") || s.contains("\\") || s.equals("..")
                    || s.equals(".")) {
                throw new ModelFormatException(index, "weight_map entry " + shard + " is not a file name in the folder");
            }
            if (!shards.contains(s)) {
                shards.add(s);
            }
        }
        if (shards.isEmpty()) {
            throw new ModelFormatException(index, "weight_map is empty");
        }
        return shards;
    }

    private static Map<String, Object> jsonObject(Path file) {
        String text;
        try {
            if (Files.size(file) > MAX_JSON_BYTES) {
                throw new ModelFormatException(file, "larger than " + MAX_JSON_BYTES + " bytes, not a model's JSON file");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read: " + e.getMessage(), e);
        }
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, "not valid JSON: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> m)) {
            throw new ModelFormatException(file, "not a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) m;
        return Collections.unmodifiableMap(object);
    }

    public Path dir() {
        return dir;
    }

    /**
     * config.json as read: objects are {@code Map<String, Object>}, arrays {@code List<Object>}, integers
     * {@code Long}, other numbers {@code Double}.
     */
    public Map<String, Object> config() {
        return config;
    }

    public Path configFile() {
        return dir.resolve(CONFIG);
    }

    public Optional<SafetensorsTensor> findTensor(String name) {
        SafetensorsFile f = byTensor.get(name);
        return f == null ? Optional.empty() : f.findTensor(name);
    }

    /** The file holding {@code name}, for error messages; the folder when no file has it. */
    public Path fileOf(String name) {
        SafetensorsFile f = byTensor.get(name);
        return f == null ? dir : f.path();
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
