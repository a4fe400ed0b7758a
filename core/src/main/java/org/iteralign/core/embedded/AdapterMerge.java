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
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A PEFT adapter folded into its GGUF base model as a new GGUF file, with the user's mistakes (a folder that
 * holds no adapter, an adapter for another model) reported as {@link UserInputException}s. The file appears
 * only when complete, so an interrupted merge never leaves a GGUF that looks whole.
 */
public final class AdapterMerge {
    private static final List<String> ADAPTER_FILES = List.of("adapter_config.json", "adapter_model.safetensors");
    /** Merged models kept in the cache: each is as big as the base in F16, and a run makes one per iteration. */
    static final int KEPT_MERGES = 3;

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
     * adapter or a replaced base gets a fresh merge while the same pair is merged once. Only the
     * {@link #KEPT_MERGES} most recently used merges stay.
     */
    public static Path cached(Path cacheRoot, Path baseGguf, Path adapterDir) {
        Path merged = cacheRoot.resolve("merged").resolve(key(baseGguf, adapterDir) + ".gguf");
        try {
            if (Files.isRegularFile(merged)) {
                Files.setLastModifiedTime(merged, FileTime.from(Instant.now()));
                return merged;
            }
            Files.createDirectories(merged.getParent());
            write(baseGguf, adapterDir, merged, GgmlType.F16);
            keepNewest(merged.getParent(), KEPT_MERGES);
            return merged;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update " + merged.getParent() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes all but the {@code n} most recently modified GGUF files in {@code dir}. A process still reading a
     * deleted one keeps its mapping; the file is gone when it closes.
     */
    static void keepNewest(Path dir, int n) throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(f -> f.getFileName().toString().endsWith(".gguf") && Files.isRegularFile(f)).toList();
        }
        Map<Path, FileTime> modified = new HashMap<>();
        for (Path f : files) modified.put(f, Files.getLastModifiedTime(f));
        List<Path> newestFirst = files.stream().sorted(Comparator.comparing(modified::get).reversed()).toList();
        for (Path old : newestFirst.subList(Math.min(n, newestFirst.size()), newestFirst.size())) {
            Files.deleteIfExists(old);
        }
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
