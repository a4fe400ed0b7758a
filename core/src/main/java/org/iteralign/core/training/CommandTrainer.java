package org.iteralign.core.training;

import org.iteralign.core.UserInputException;
import org.iteralign.core.backend.VllmLoraAdapters;
import org.iteralign.core.download.ModelResolver;
import org.iteralign.core.embedded.AdapterMerge;
import org.iteralign.core.model.ModelCallException;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.pipeline.ProgressListener;
import org.iteralign.core.pipeline.Trainer;
import org.iteralign.core.pipeline.TrainerState;
import org.iteralign.engine.tensor.GgmlType;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code training.trainer: command}: runs the user's training command (a TRL or Axolotl launch, or our own
 * {@code iteralign train}) on the iteration's data, its output streamed to {@code iterations/NNN/train.log} and to
 * the progress notes, and points the next iteration at what it left in {@code {output_dir}}:
 * <ul>
 *   <li>with {@code vllm_lora}, a PEFT adapter is loaded into the target's vLLM server and served under a new name;</li>
 *   <li>one GGUF file is the next model as it is;</li>
 *   <li>a PEFT adapter ({@code adapter_config.json}) is merged into the GGUF model it was trained on, as
 *       {@code embedded-lora} does, into {@code iterations/NNN/model.gguf};</li>
 *   <li>a Hugging Face model folder ({@code config.json}) is loaded by the embedded engine.</li>
 * </ul>
 * Placeholders: {@code {data}} the OpenAI chat JSONL, {@code {data_sharegpt}} the ShareGPT JSON, {@code {base_model}}
 * the model to fine-tune as a path or provider name (for a vLLM target always the server's own model, which each
 * iteration's adapter is trained on), {@code {model_spec}} its iteralign spec, {@code {output_dir}} and
 * {@code {iteration}}. A command that finished is not run again when the run resumes; one that was interrupted is
 * (resuming from its own checkpoints is up to it), after stopping it if a killed run left it running.
 */
public final class CommandTrainer implements Trainer {
    static final String FINISHED = "command.finished";
    /** The running command's pid and start time, so a run resumed after a kill stops the command it left behind. */
    static final String RUNNING = "command.running";
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);
    /** Lines of the log quoted in a failure message; the rest is in the log. */
    private static final int TAIL_LINES = 5;

    private final CommandTemplate template;
    private final ModelResolver resolver;
    private final Optional<VllmLoraAdapters> vllm;

    /** @param vllm the target's server when {@code training.vllm_lora} is set */
    public CommandTrainer(CommandTemplate template, ModelResolver resolver, Optional<VllmLoraAdapters> vllm) {
        this.template = template;
        this.resolver = resolver;
        this.vllm = vllm;
    }

    @Override
    public String name() {
        return "command";
    }

    @Override
    public TrainedModel train(TrainingJob job, ProgressListener progress, Consumer<TrainingStep> log) {
        Path out = job.outputDir().toAbsolutePath();
        Path logFile = out.resolveSibling("train.log");
        if (job.state().get(FINISHED).isEmpty()) {
            List<String> command = template.expand(placeholders(job, out));
            job.state().get(RUNNING).ifPresent(left -> stopLeftBehind(left, job.iteration(), progress));
            run(command, logFile, job.iteration(), progress, job.state());
            job.state().put(FINISHED, "exit 0");
        }
        return nextModel(job, out, logFile, progress);
    }

    private Map<String, String> placeholders(TrainingJob job, Path out) {
        ModelSpec current = ModelSpec.parse(vllm.isPresent() ? job.baseModel() : job.currentModel());
        String model = switch (current.kind()) {
            case GGUF, HF_DIR -> Path.of(current.location()).toAbsolutePath().toString();
            case ALIAS -> resolver.resolve(current).toString();
            case HF, OPENAI, OPENAI_COMPATIBLE, ANTHROPIC -> current.name();
        };
        return Map.of("data", job.sftOpenAi().toAbsolutePath().toString(),
                "data_sharegpt", job.sftShareGpt().toAbsolutePath().toString(),
                "base_model", model,
                "model_spec", current.text(),
                "output_dir", out.toString(),
                "iteration", Integer.toString(job.iteration()));
    }

    /**
     * Stops the command a killed run started, if it still runs: the same pid alone could be a process the system has
     * since given that number, so its start time must match too. Its own children go with it.
     */
    private static void stopLeftBehind(String recorded, int iteration, ProgressListener progress) {
        String[] parts = recorded.split(" ");
        Optional<ProcessHandle> left = ProcessHandle.of(Long.parseLong(parts[0]))
                .filter(p -> p.info().startInstant().map(t -> Long.toString(t.toEpochMilli()).equals(parts[1])).orElse(false));
        if (left.isEmpty()) return;
        progress.note("iteration %d: stopping the training command (pid %s) that an interrupted run left running".formatted(iteration, parts[0]));
        stopTree(left.get());
        try {
            left.get().onExit().get(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            progress.note("iteration %d: pid %s has not exited yet".formatted(iteration, parts[0]));
        }
    }

    /** Kills {@code process} and everything it started. */
    private static void stopTree(ProcessHandle process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Runs the command without a shell; stdout and stderr, interleaved, go to the log and the progress notes. */
    private static void run(List<String> command, Path logFile, int iteration, ProgressListener progress, TrainerState state) {
        Deque<String> tail = new ArrayDeque<>();
        try {
            Files.createDirectories(logFile.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + logFile.getParent(), e);
        }
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            // Nothing is typed into a training command: one that reads stdin sees its end instead of waiting forever.
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new UserInputException("training.command", "cannot start '" + command.getFirst() + "': " + e.getMessage());
        }
        state.put(RUNNING, process.pid() + " " + process.info().startInstant().map(t -> t.toEpochMilli()).orElse(0L));
        // Ctrl-C or a plain kill of iteralign stops the command too; only a SIGKILL leaves it for the resume to stop.
        ProcessHandle started = process.toHandle();
        Thread stopper = new Thread(() -> stopTree(started));
        Runtime.getRuntime().addShutdownHook(stopper);
        progress.note("iteration %d: training with %s (log: %s)".formatted(iteration, command.getFirst(), logFile));
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             BufferedWriter writer = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8,
                     StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            writer.write("== iteralign: " + String.join(" ", command) + System.lineSeparator());
            writer.flush();
            for (String line; (line = lines.readLine()) != null; ) {
                writer.write(line + System.lineSeparator());
                writer.flush();
                progress.note("  train: " + line);
                tail.addLast(line);
                if (tail.size() > TAIL_LINES) tail.removeFirst();
            }
            int exit = process.waitFor();
            if (exit != 0) {
                throw new ModelCallException("the training command of iteration " + iteration + " exited with code " + exit
                        + (tail.isEmpty() ? "" : "; it last said: " + String.join(" | ", tail)) + "; the whole output is in " + logFile,
                        false);
            }
        } catch (IOException e) {
            process.destroyForcibly();
            throw new UncheckedIOException("cannot log the training command to " + logFile, e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ModelCallException("interrupted while the training command ran; --resume runs it again", false, e);
        } finally {
            state.remove(RUNNING);
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
    }

    private TrainedModel nextModel(TrainingJob job, Path out, Path logFile, ProgressListener progress) {
        boolean adapter = Files.isRegularFile(out.resolve("adapter_config.json"));
        if (vllm.isPresent()) {
            if (!adapter) throw left(out, logFile, "no PEFT adapter (adapter_config.json), which training.vllm_lora needs");
            String name = adapterName(out, job.iteration());
            VllmLoraAdapters server = vllm.get();
            String spec = server.serves(name) ? server.specOf(name) : server.load(name, out);
            return new TrainedModel(spec, true, "command: trained a LoRA adapter in " + out + " and loaded it into vLLM as " + name);
        }
        List<Path> ggufs = ggufFiles(out);
        if (ggufs.size() == 1) {
            return new TrainedModel("gguf:" + ggufs.getFirst(), true, "command: the training command wrote " + ggufs.getFirst());
        }
        if (ggufs.size() > 1) throw left(out, logFile, ggufs.size() + " GGUF files; leave exactly one");
        if (adapter) return merged(job, out, logFile, progress);
        if (Files.isRegularFile(out.resolve("config.json"))) {
            return new TrainedModel("hf-dir:" + out, true, "command: the training command wrote a Hugging Face model folder " + out);
        }
        throw left(out, logFile, "neither a GGUF file, a PEFT adapter (adapter_config.json) nor a Hugging Face model (config.json)");
    }

    /** A PEFT adapter is folded into the GGUF it was trained on, so the engine runs the next model at full speed. */
    private TrainedModel merged(TrainingJob job, Path out, Path logFile, ProgressListener progress) {
        ModelSpec current = ModelSpec.parse(job.currentModel());
        if (current.kind() != ModelSpec.Kind.GGUF && current.kind() != ModelSpec.Kind.ALIAS) {
            throw left(out, logFile, "a PEFT adapter, which iteralign merges only into GGUF models and " + current
                    + " is not one: have the command save the merged model (a Hugging Face folder or a GGUF)"
                    + (current.kind() == ModelSpec.Kind.OPENAI_COMPATIBLE ? ", or set training.vllm_lora: true" : ""));
        }
        Path mergedFile = out.resolveSibling("model.gguf");
        if (!Files.isRegularFile(mergedFile)) {
            progress.note("iteration %d: merging the adapter into %s".formatted(job.iteration(), current));
            AdapterMerge.write(resolver.resolve(current), out, mergedFile, GgmlType.F16);
        }
        return new TrainedModel("gguf:" + mergedFile, true, "command: the training command wrote a PEFT adapter in " + out
                + ", merged into " + mergedFile.getFileName());
    }

    /**
     * The adapter's name on the server: the run's folder and the iteration, plus a short hash of the adapter's path so
     * that two runs in folders of the same name on one server never answer with each other's adapter.
     */
    static String adapterName(Path out, int iteration) {
        Path runRoot = out.getParent().getParent().getParent();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(out.toString().getBytes(StandardCharsets.UTF_8));
            String run = runRoot.getFileName().toString().replaceAll("[^A-Za-z0-9._-]+", "-");
            return "%s-it%03d-%s".formatted(run, iteration, HexFormat.of().formatHex(digest, 0, 3));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static List<Path> ggufFiles(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> p.getFileName().toString().endsWith(".gguf")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static UserInputException left(Path out, Path logFile, String what) {
        return new UserInputException("training.command", "the training command succeeded but left in " + out + " " + what
                + " (its output is in " + logFile + "); fix it and run again with --resume");
    }
}
