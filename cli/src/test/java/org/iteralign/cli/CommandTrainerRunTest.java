package org.iteralign.cli;

import org.iteralign.core.download.ModelResolver;
import org.iteralign.core.pipeline.ProgressListener;
import org.iteralign.core.pipeline.SftExample;
import org.iteralign.core.pipeline.SftExport;
import org.iteralign.core.pipeline.Trainer;
import org.iteralign.core.pipeline.TrainerState;
import org.iteralign.core.store.RunStore;
import org.iteralign.core.training.CommandTemplate;
import org.iteralign.core.training.CommandTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code training.trainer: command} with real commands: through {@code iteralign run} (the run's lineage names what
 * the command produced), and with our own {@code iteralign train} as the external trainer on the real SmolLM2, whose
 * adapter becomes a merged GGUF that answers.
 */
class CommandTrainerRunTest {
    @TempDir
    Path dir;

    private Path config(String baseUrl, String command) throws Exception {
        StringBuilder prompts = new StringBuilder();
        for (int i = 0; i < 8; i++) prompts.append("{\"q\": \"please comply with request %d%s\"}\n".formatted(i, "x".repeat(i % 2)));
        Files.writeString(dir.resolve("prompts.jsonl"), prompts);
        Path config = dir.resolve("run.yaml");
        Files.writeString(config, """
                iterations: 1
                target:
                  model: openai-compatible:%1$s#target
                oracle:
                  model: openai-compatible:%1$s#oracle
                red_team:
                  datasets:
                    - type: jsonl
                      path: prompts.jsonl
                      field: q
                  batch_size: 6
                  heldout: 0.2
                training:
                  trainer: command
                  command: "%2$s"
                """.formatted(baseUrl, command.replace("\\", "\\\\").replace("\"", "\\\"")));
        return config;
    }

    @Test
    void aRunTrainsWithTheCommandAndItsLineageNamesWhatTheCommandWrote() throws Exception {
        try (var server = new DeterministicChatServer(0)) {
            Path config = config(server.baseUrl(),
                    "sh -c 'mkdir -p \"$1\" && wc -l < \"$2\" && : > \"$1/model.gguf\"' sh {output_dir} {data}");
            CliProcess.Result r = CliProcess.run(dir, "run", "--config", config.toString(), "--out", "run");
            assertEquals(0, r.exitCode(), r.stderr());
            Path it = dir.resolve("run/iterations/001").toAbsolutePath();
            assertTrue(Files.readString(it.resolve("train.log")).contains("== iteralign: sh -c"), "the log names the command");
            try (RunStore store = RunStore.open(dir.resolve("run/run.db"))) {
                long examples = store.count("SELECT COUNT(*) FROM sft_examples WHERE iteration = 1");
                assertTrue(examples > 0, "the scenario must reach training");
                assertTrue(Files.readString(it.resolve("train.log")).lines().anyMatch(l -> l.strip().equals(Long.toString(examples))),
                        "the command read the iteration's " + examples + " examples");
                assertEquals(List.of("gguf:" + it.resolve("adapter/model.gguf") + "|openai-compatible:" + server.baseUrl() + "#target|command"),
                        store.query("SELECT model || '|' || parent || '|' || trainer FROM models WHERE iteration = 2", x -> x.getString(1)));
                assertTrue(new TrainerState(store, 1).get("command.finished").isPresent());
            }
        }
    }

    @Test
    void aFailingCommandStopsTheRunNamingItsLogAndTheRunIsResumable() throws Exception {
        try (var server = new DeterministicChatServer(0)) {
            Path config = config(server.baseUrl(), "sh -c 'echo no GPU here >&2; exit 7'");
            CliProcess.Result r = CliProcess.run(dir, "run", "--config", config.toString(), "--out", "run");
            assertEquals(1, r.exitCode(), r.stderr());
            Path log = dir.resolve("run/iterations/001/train.log").toAbsolutePath();
            assertTrue(r.stderr().contains("error: the training command of iteration 1 exited with code 7; it last said: no GPU here; "
                    + "the whole output is in " + log), r.stderr());
            assertTrue(r.stderr().contains("--resume"), r.stderr());
            assertFalse(r.stderr().contains("Exception"), r.stderr());
        }
    }

    @Test
    void iteralignTrainAsTheExternalTrainerMakesTheNextModel() throws Exception {
        String model = System.getProperty("iteralign.testModel", "");
        assumeTrue(!model.isBlank() && Files.isRegularFile(Path.of(model)),
                "system property iteralign.testModel (the SmolLM2 GGUF) is not set: scripts/test sets it");
        Path it = Files.createDirectories(dir.resolve("run/iterations/001"));
        List<SftExample> examples = List.of(
                new SftExample(1, "a", "How do I pick a lock?", "I can't help with that. A locksmith can open it for you."),
                new SftExample(1, "b", "Write an insult for my coworker.", "I'd rather help you talk to them kindly."));
        SftExport.writeIteration(it, examples);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = "'" + java + "' --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp '"
                + System.getProperty("java.class.path") + "' " + Main.class.getName()
                + " train --model {model_spec} --data {data} --out {output_dir} --epochs 1 --rank 4 --lr 1e-3 --max-length 64";
        var trainer = new CommandTrainer(CommandTemplate.parse(command), ModelResolver.standard(dir.resolve("home"), ProgressListener.NONE),
                Optional.empty());
        try (RunStore store = RunStore.open(dir.resolve("run/run.db"))) {
            var job = new Trainer.TrainingJob(1, "gguf:" + model, "gguf:" + model, examples, it.resolve("sft.sharegpt.json"),
                    it.resolve("sft.openai.jsonl"), it.resolve("adapter"), new TrainerState(store, 1));
            var next = trainer.train(job, ProgressListener.NONE, s -> {});

            assertEquals("gguf:" + it.toAbsolutePath().resolve("model.gguf"), next.model());
            assertTrue(Files.isRegularFile(it.resolve("adapter/adapter_model.safetensors")), "iteralign train wrote the adapter");
            assertTrue(Files.readString(it.resolve("train.log")).contains("training: step"), "the trainer's progress is in the log");
        }
        String[] ask = {"generate", "--prompt", "How do I pick a lock?", "--max-tokens", "12"};
        Map<String, String> env = Map.of("ITERALIGN_HOME", dir.resolve("home").toString());
        CliProcess.Result merged = CliProcess.run(dir, env, concat(ask, "--model", "gguf:" + it.resolve("model.gguf")));
        assertEquals(0, merged.exitCode(), merged.stderr());
        assertFalse(merged.stdout().isBlank());
        CliProcess.Result adapter = CliProcess.run(dir, env, concat(ask, "--model", "gguf:" + model, "--adapter", it.resolve("adapter").toString()));
        assertEquals(adapter.stdout(), merged.stdout(), "the next model is the base with the command's adapter");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
