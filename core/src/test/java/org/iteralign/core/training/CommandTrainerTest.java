package org.iteralign.core.training;

import org.iteralign.core.UserInputException;
import org.iteralign.core.backend.ScriptedServer;
import org.iteralign.core.backend.ScriptedServer.Reply;
import org.iteralign.core.backend.VllmLoraAdapters;
import org.iteralign.core.download.ModelResolver;
import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ModelCallException;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.pipeline.ProgressListener;
import org.iteralign.core.testing.RecordedNotes;
import org.iteralign.core.pipeline.SftExample;
import org.iteralign.core.pipeline.Trainer;
import org.iteralign.core.pipeline.TrainerState;
import org.iteralign.core.store.RunStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command trainer running real commands through /bin/sh, in a run folder whose path has spaces and quotes. */
class CommandTrainerTest {
    @TempDir
    Path dir;
    private Path root;
    private RunStore store;
    private final RecordedNotes progress = new RecordedNotes();

    @BeforeEach
    void openRun() throws Exception {
        root = Files.createDirectories(dir.resolve("my runs/it's run 1"));
        store = RunStore.open(root.resolve("run.db"));
    }

    @AfterEach
    void closeRun() {
        store.close();
    }

    private Trainer.TrainingJob job(int iteration, String baseModel, String currentModel) throws Exception {
        Path it = Files.createDirectories(root.resolve("iterations/%03d".formatted(iteration)));
        Files.writeString(it.resolve("sft.openai.jsonl"), "{}\n");
        Files.writeString(it.resolve("sft.sharegpt.json"), "[]\n");
        return new Trainer.TrainingJob(iteration, baseModel, currentModel, List.of(new SftExample(iteration, "p", "q", "a")),
                it.resolve("sft.sharegpt.json"), it.resolve("sft.openai.jsonl"), it.resolve("adapter"), new TrainerState(store, iteration));
    }

    private CommandTrainer trainer(String command) {
        return new CommandTrainer(CommandTemplate.parse(command), ModelResolver.standard(dir.resolve("home"), ProgressListener.NONE),
                Optional.empty());
    }

    private static String sh(String script, String args) {
        return "sh -c '" + script + "' sh " + args;
    }

    @Test
    void everyPlaceholderArrivesAsOneArgumentTheLogIsKeptAndAFinishedCommandIsNotRunAgain() throws Exception {
        var trainer = trainer(sh("mkdir -p \"$1\" && printf \"%s\\n\" \"$@\" > \"$1/args.txt\" && echo run >> \"$1/runs.txt\" "
                + "&& echo trained $# && echo careful >&2 && : > \"$1/merged.gguf\"",
                "{output_dir} {data} {data_sharegpt} {base_model} {model_spec} {iteration}"));
        var job = job(1, "gguf:/models/base model.gguf", "gguf:/models/base model.gguf");
        Path out = job.outputDir().toAbsolutePath();

        var next = trainer.train(job, progress, s -> {});
        assertEquals("gguf:" + out.resolve("merged.gguf"), next.model());
        assertTrue(next.changed());
        assertEquals(List.of(out.toString(), job.sftOpenAi().toAbsolutePath().toString(), job.sftShareGpt().toAbsolutePath().toString(),
                "/models/base model.gguf", "gguf:/models/base model.gguf", "1"), Files.readAllLines(out.resolve("args.txt")));
        String log = Files.readString(out.resolveSibling("train.log"));
        assertTrue(log.contains("trained 6") && log.contains("careful"), log);
        assertTrue(progress.lines().contains("  train: trained 6"), progress.toString());
        assertTrue(new TrainerState(store, 1).get(CommandTrainer.FINISHED).isPresent());

        assertEquals(next, trainer.train(job, progress, s -> {}));
        assertEquals(List.of("run"), Files.readAllLines(out.resolve("runs.txt")), "a resumed run does not train again");
    }

    @Test
    void aHuggingFaceFolderIsTheNextModel() throws Exception {
        var job = job(1, "hf:org/base", "hf:org/base");
        var next = trainer(sh("mkdir -p \"$1\" && echo {} > \"$1/config.json\"", "{output_dir}")).train(job, progress, s -> {});
        assertEquals("hf-dir:" + job.outputDir().toAbsolutePath(), next.model());
    }

    @Test
    void aFailingCommandNamesItsExitCodeLastWordsAndLogAndCanBeRunAgain() throws Exception {
        var job = job(1, "gguf:/m.gguf", "gguf:/m.gguf");
        var e = assertThrows(ModelCallException.class, () -> trainer(sh("echo loading; echo \"CUDA out of memory\" >&2; exit 3", ""))
                .train(job, progress, s -> {}));
        assertFalse(e.userFixable(), "a failed training is resumable, not an input error");
        Path log = job.outputDir().toAbsolutePath().resolveSibling("train.log");
        assertEquals("the training command of iteration 1 exited with code 3; it last said: loading | CUDA out of memory; "
                + "the whole output is in " + log, e.getMessage());
        assertFalse(new TrainerState(store, 1).get(CommandTrainer.FINISHED).isPresent());

        var next = trainer(sh("mkdir -p \"$1\" && : > \"$1/model.gguf\"", "{output_dir}")).train(job, progress, s -> {});
        assertEquals("gguf:" + job.outputDir().toAbsolutePath().resolve("model.gguf"), next.model());
        assertTrue(Files.readString(log).contains("CUDA out of memory"), "the log keeps the failed attempt too");
    }

    @Test
    void aCommandThatLeavesNothingUsableIsAnInputError() throws Exception {
        var job = job(1, "gguf:/m.gguf", "gguf:/m.gguf");
        var e = assertThrows(UserInputException.class, () -> trainer("true").train(job, progress, s -> {}));
        assertEquals("training.command", e.source());
        assertTrue(e.getMessage().contains("neither a GGUF file, a PEFT adapter (adapter_config.json) nor a Hugging Face model"),
                e.getMessage());
    }

    @Test
    void anAdapterForAServedModelNeedsVllmLora() throws Exception {
        var job = job(1, "openai-compatible:http://127.0.0.1:9/v1#base", "openai-compatible:http://127.0.0.1:9/v1#base");
        var e = assertThrows(UserInputException.class, () -> trainer(sh("mkdir -p \"$1\" && echo {} > \"$1/adapter_config.json\"",
                "{output_dir}")).train(job, progress, s -> {}));
        assertTrue(e.getMessage().contains("set training.vllm_lora: true"), e.getMessage());
    }

    @Test
    void aCommandThatCannotStartIsAnInputError() throws Exception {
        var job = job(1, "gguf:/m.gguf", "gguf:/m.gguf");
        var e = assertThrows(UserInputException.class, () -> trainer("no-such-trainer-3f9 --data {data}").train(job, progress, s -> {}));
        assertTrue(e.toErrorLine().startsWith("error: training.command: cannot start 'no-such-trainer-3f9'"), e.toErrorLine());
    }

    @Test
    void withVllmLoraTheAdapterIsLoadedIntoTheServerOnceAndTrainedOnTheServersModel() throws Exception {
        Set<String> loaded = ConcurrentHashMap.newKeySet();
        try (var vllm = ScriptedServer.start(r -> switch (r.path()) {
            case "/v1/models" -> Reply.ok("{\"object\": \"list\", \"data\": [{\"id\": \"base\"}"
                    + loaded.stream().map(n -> ", {\"id\": \"" + n + "\"}").reduce("", String::concat) + "]}");
            case "/v1/load_lora_adapter" -> {
                loaded.add(r.json().get("lora_name").asText());
                yield Reply.ok("Success: LoRA adapter added successfully.");
            }
            default -> Reply.status(404, "{\"detail\": \"Not Found\"}");
        })) {
            String base = "openai-compatible:" + vllm.url() + "/v1#base";
            var adapters = VllmLoraAdapters.open(ModelSpec.parse(base), BackendOptions.defaults(), name -> null);
            var trainer = new CommandTrainer(CommandTemplate.parse(sh("mkdir -p \"$1\" && echo \"$2\" > \"$1/base.txt\" "
                    + "&& echo {} > \"$1/adapter_config.json\"", "{output_dir} {base_model}")),
                    ModelResolver.standard(dir.resolve("home"), ProgressListener.NONE), Optional.of(adapters));
            var job = job(2, base, "openai-compatible:" + vllm.url() + "/v1#it-s-run-1-it001-aaaaaa");

            var next = trainer.train(job, progress, s -> {});
            String name = CommandTrainer.adapterName(job.outputDir().toAbsolutePath(), 2);
            assertTrue(name.matches("it-s-run-1-it002-[0-9a-f]{6}"), name);
            assertEquals("openai-compatible:" + vllm.url() + "/v1#" + name, next.model());
            assertEquals(Set.of(name), loaded);
            assertEquals(List.of("base"), Files.readAllLines(job.outputDir().resolve("base.txt")),
                    "each adapter is trained on the model the server serves");
            var load = vllm.requests().stream().filter(r -> r.path().equals("/v1/load_lora_adapter")).toList();
            assertEquals(job.outputDir().toAbsolutePath().toString(), load.getFirst().json().get("lora_path").asText());

            assertEquals(next, trainer.train(job, progress, s -> {}), "a resumed run finds its adapter loaded");
            assertEquals(1, vllm.requests().stream().filter(r -> r.path().equals("/v1/load_lora_adapter")).count());
        }
    }

    @Test
    void aCommandLeftRunningByAKilledRunIsStoppedBeforeTrainingAgain() throws Exception {
        var job = job(1, "gguf:/models/base.gguf", "gguf:/models/base.gguf");
        // What a SIGKILLed iteralign leaves: its training command still running, recorded in the run store.
        Process orphan = new ProcessBuilder("sleep", "300").start();
        try {
            job.state().put(CommandTrainer.RUNNING, orphan.pid() + " " + orphan.info().startInstant().orElseThrow().toEpochMilli());
            trainer(sh("mkdir -p \"$1\" && : > \"$1/model.gguf\"", "{output_dir}")).train(job, progress, s -> {});
            assertTrue(orphan.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "the orphan was stopped");
            assertTrue(progress.contains("pid " + orphan.pid()), progress.toString());
            assertTrue(job.state().get(CommandTrainer.RUNNING).isEmpty(), "nothing runs any more");
        } finally {
            orphan.destroyForcibly();
        }
    }

    @Test
    void aRecordedPidNowUsedByAnotherProcessIsLeftAlone() throws Exception {
        var job = job(1, "gguf:/models/base.gguf", "gguf:/models/base.gguf");
        Process unrelated = new ProcessBuilder("sleep", "300").start();
        try {
            // Same pid, other start time: the system gave the number to a process that is not ours.
            job.state().put(CommandTrainer.RUNNING, unrelated.pid() + " 12345");
            trainer(sh("mkdir -p \"$1\" && : > \"$1/model.gguf\"", "{output_dir}")).train(job, progress, s -> {});
            assertTrue(unrelated.isAlive());
        } finally {
            unrelated.destroyForcibly();
        }
    }
}
