package org.iteralign.engine.train;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.iteralign.engine.model.LlamaModel;

/**
 * Supervised fine-tuning of a LoRA adapter on chat examples, on the CPU.
 *
 * <p>Each epoch sorts the sequences by length and cuts them into batches of {@code batchSize}, so a
 * batch holds sequences of similar length, then visits the batches in a seeded random order. A batch's
 * loss is the mean cross-entropy over all its reply tokens; its gradient is accumulated over
 * micro-batches of at most {@code microBatchTokens} tokens, clipped, and applied by AdamW on a cosine
 * schedule. Every random draw derives from the seed and the step number, so a run is deterministic and
 * a resumed run continues exactly where the checkpoint left it.
 */
public final class LoraTrainer {
    /** Where checkpoints go inside the output folder. */
    public static final String CHECKPOINT = "checkpoint";
    private static final String OPTIMIZER = "optimizer.bin";
    private static final int OPTIMIZER_MAGIC = 0x4C6F5241; // "LoRA"

    private LoraTrainer() {}

    /**
     * Trains an adapter for {@code base} and saves it in PEFT layout to {@code outDir}. With
     * {@code checkpointEvery > 0}, adapter and optimiser state go to {@code outDir/checkpoint} every so
     * many steps; when that folder holds a checkpoint of the same run, training resumes from it. A
     * finished run deletes its checkpoint.
     *
     * @throws IllegalArgumentException when no example has a reply token within {@code maxLength}
     */
    public static LoraAdapter train(LlamaModel base, List<ChatExample> data, LoraConfig config, Path outDir,
                                    TrainingListener listener) {
        ChatExampleTokenizer tokenizer = ChatExampleTokenizer.of(base);
        List<TrainingExample> examples = new ArrayList<>();
        for (ChatExample e : data) {
            tokenizer.tokenize(e, Math.min(config.maxLength(), base.config().contextLength())).ifPresent(examples::add);
        }
        return trainTokenized(base, examples, config, outDir, listener);
    }

    /** {@link #train} for sequences already tokenised. */
    public static LoraAdapter trainTokenized(LlamaModel base, List<TrainingExample> examples, LoraConfig config, Path outDir,
                                             TrainingListener listener) {
        examples = examples.stream().filter(e -> e.targetCount() > 0).toList();
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("no training example has a reply token within " + config.maxLength() + " tokens");
        }
        String baseName = base.gguf().path().toString();
        Path checkpoint = outDir.resolve(CHECKPOINT);
        LoraAdapter adapter;
        AdamW optimizer;
        Optional<LoraAdapter> saved = Files.isRegularFile(checkpoint.resolve(OPTIMIZER))
                ? Optional.of(LoraAdapter.load(checkpoint, base.config()))
                : Optional.empty();
        if (saved.isPresent()) {
            adapter = saved.get();
            if (adapter.rank() != config.rank() || adapter.alpha() != config.alpha() || !adapter.targets().equals(config.targets())) {
                throw new IllegalArgumentException(checkpoint + " holds a checkpoint of an adapter with other settings (rank "
                        + adapter.rank() + ", alpha " + adapter.alpha() + ", targets " + adapter.targets()
                        + "); delete it or train into another folder");
            }
            optimizer = new AdamW(adapter, config.weightDecay());
            readOptimizer(checkpoint.resolve(OPTIMIZER), optimizer);
        } else {
            adapter = LoraAdapter.create(base.config(), config, baseName);
            optimizer = new AdamW(adapter, config.weightDecay());
        }
        TrainableLlama model = new TrainableLlama(FrozenBase.of(base));
        List<TrainingExample> byLength = new ArrayList<>(examples);
        byLength.sort(Comparator.comparingInt(TrainingExample::length));
        List<List<TrainingExample>> batches = new ArrayList<>();
        for (int i = 0; i < byLength.size(); i += config.batchSize()) {
            batches.add(byLength.subList(i, Math.min(byLength.size(), i + config.batchSize())));
        }
        int totalSteps = batches.size() * config.epochs();
        if (optimizer.steps() > totalSteps) {
            throw new IllegalArgumentException(checkpoint + " is at step " + optimizer.steps() + " but this run has only "
                    + totalSteps + " steps; it belongs to another run");
        }
        CosineSchedule schedule = CosineSchedule.of(config.learningRate(), totalSteps, config.warmupFraction());
        long tokensSeen = 0;
        int step = 0;
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            List<List<TrainingExample>> order = new ArrayList<>(batches);
            Collections.shuffle(order, new Random(config.seed() * 31 + epoch));
            for (List<TrainingExample> batch : order) {
                step++;
                int tokens = batch.stream().mapToInt(TrainingExample::length).sum();
                tokensSeen += tokens;
                if (step <= optimizer.steps()) {
                    continue; // done before the checkpoint this run resumed from
                }
                long start = System.nanoTime();
                int targets = batch.stream().mapToInt(TrainingExample::targetCount).sum();
                LoraAdapter grads = adapter.zerosLike();
                double loss = 0;
                List<List<TrainingExample>> micro = microBatches(batch, config.microBatchTokens());
                for (int k = 0; k < micro.size(); k++) {
                    long dropoutSeed = config.seed() * 1_000_003L + step * 1_009L + k;
                    loss += model.lossAndGradients(micro.get(k), adapter, grads, 1.0 / targets, config.dropout(), dropoutSeed);
                }
                double norm = AdamW.clip(grads, config.maxGradNorm());
                float lr = schedule.rate(step - 1);
                optimizer.step(adapter, grads, lr);
                double seconds = (System.nanoTime() - start) / 1e9;
                listener.onStep(new TrainingProgress(step, totalSteps, epoch, config.epochs(), loss / targets, lr, norm,
                        tokens / seconds, tokensSeen));
                if (config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0 && step < totalSteps) {
                    writeCheckpoint(checkpoint, adapter, optimizer);
                }
            }
        }
        adapter.save(outDir);
        try {
            deleteTree(checkpoint); // the run is complete: nothing left to resume
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + checkpoint + ": " + e.getMessage(), e);
        }
        return adapter;
    }

    /** Consecutive sequences packed up to the token budget; a longer sequence goes alone. */
    private static List<List<TrainingExample>> microBatches(List<TrainingExample> batch, int budget) {
        List<List<TrainingExample>> out = new ArrayList<>();
        List<TrainingExample> current = new ArrayList<>();
        int tokens = 0;
        for (TrainingExample e : batch) {
            if (!current.isEmpty() && tokens + e.length() > budget) {
                out.add(current);
                current = new ArrayList<>();
                tokens = 0;
            }
            current.add(e);
            tokens += e.length();
        }
        out.add(current);
        return out;
    }

    /** Writes to a fresh folder and then swaps it in, so a crash mid-write leaves the previous checkpoint. */
    private static void writeCheckpoint(Path checkpoint, LoraAdapter adapter, AdamW optimizer) {
        Path fresh = checkpoint.resolveSibling(CHECKPOINT + ".new");
        try {
            deleteTree(fresh);
            adapter.save(fresh);
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                    Files.newOutputStream(fresh.resolve(OPTIMIZER))))) {
                out.writeInt(OPTIMIZER_MAGIC);
                optimizer.write(out);
            }
            Path old = checkpoint.resolveSibling(CHECKPOINT + ".old");
            deleteTree(old);
            if (Files.exists(checkpoint)) {
                Files.move(checkpoint, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(fresh, checkpoint, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(old);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + checkpoint + ": " + e.getMessage(), e);
        }
    }

    private static void readOptimizer(Path file, AdamW optimizer) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != OPTIMIZER_MAGIC) {
                throw new IllegalArgumentException(file + ": not an optimizer checkpoint");
            }
            optimizer.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
