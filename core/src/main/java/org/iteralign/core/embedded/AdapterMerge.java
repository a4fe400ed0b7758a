package org.iteralign.core.embedded;

import org.iteralign.core.UserInputException;
import org.iteralign.engine.ModelFormatException;
import org.iteralign.engine.model.LlamaModel;
import org.iteralign.engine.tensor.GgmlType;
import org.iteralign.engine.train.LoraAdapter;
import org.iteralign.engine.train.LoraMerge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A PEFT adapter folded into its GGUF base model as a new GGUF file, with the user's mistakes (a folder that
 * holds no adapter, an adapter for another model) reported as {@link UserInputException}s. The file appears
 * only when complete, so an interrupted merge never leaves a GGUF that looks whole.
 */
public final class AdapterMerge {
    private static final List<String> ADAPTER_FILES = List.of("adapter_config.json", "adapter_model.safetensors");

    private AdapterMerge() {}

    public static void write(Path baseGguf, Path adapterDir, Path out, GgmlType type) {
        for (String name : ADAPTER_FILES) {
            if (!Files.isRegularFile(adapterDir.resolve(name))) {
                throw new UserInputException(adapterDir, "not a LoRA adapter folder: " + name + " is missing");
            }
        }
        try (LlamaModel base = LlamaModel.load(baseGguf)) {
            LoraAdapter adapter;
            try {
                adapter = LoraAdapter.load(adapterDir, base.config());
            } catch (IllegalArgumentException e) {
                throw new UserInputException(adapterDir, e.getMessage() + " (is it an adapter for " + baseGguf.getFileName() + "?)");
            }
            // A name of its own, so two commands merging the same pair into the cache never write one file.
            Path partial = Files.createTempFile(out.toAbsolutePath().getParent(), out.getFileName() + ".", ".part");
            try {
                LoraMerge.writeGguf(base, adapter, partial, type);
                Files.move(partial, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IllegalArgumentException e) {
                throw new UserInputException(adapterDir, e.getMessage() + " than " + baseGguf.getFileName());
            } finally {
                Files.deleteIfExists(partial);
            }
        } catch (ModelFormatException e) {
            throw new UserInputException(baseGguf, e.reason());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    /**
     * The merged model of {@code adapterDir} on {@code baseGguf} under {@code cacheRoot/merged}, made on first use.
     * Named by a hash of the base's path, size and modification time and of the adapter's bytes, so a retrained
     * adapter or a replaced base gets a fresh merge while the same pair is merged once.
     */
    public static Path cached(Path cacheRoot, Path baseGguf, Path adapterDir) {
        Path merged = cacheRoot.resolve("merged").resolve(key(baseGguf, adapterDir) + ".gguf");
        if (Files.isRegularFile(merged)) return merged;
        try {
            Files.createDirectories(merged.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + merged.getParent() + ": " + e.getMessage(), e);
        }
        write(baseGguf, adapterDir, merged, GgmlType.F16);
        return merged;
    }

    private static String key(Path baseGguf, Path adapterDir) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            Path base = baseGguf.toAbsolutePath().normalize();
            sha.update((base + "\n" + Files.size(base) + "\n" + Files.getLastModifiedTime(base).toMillis() + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            for (String name : ADAPTER_FILES) {
                Path f = adapterDir.resolve(name);
                if (!Files.isRegularFile(f)) {
                    throw new UserInputException(adapterDir, "not a LoRA adapter folder: " + name + " is missing");
                }
                sha.update(Files.readAllBytes(f));
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + adapterDir + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
