package org.iteralign.core.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.iteralign.core.UserInputException;
import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.redteam.DatasetSpec;
import org.iteralign.core.redteam.RedTeamDatasets;
import org.iteralign.core.training.CommandTemplate;
import org.iteralign.core.eval.EvalSuites;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a run configuration from YAML; every mistake becomes one {@code FILE:LINE: what is wrong}. */
public final class RunConfigLoader {
    private RunConfigLoader() {}

    public static RunConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new UserInputException(file, "file not found");
        } catch (IOException e) {
            throw new UserInputException(file, "cannot read: " + e.getMessage());
        }
        Path base = file.toAbsolutePath().getParent();
        return parse(file.toString(), text, base);
    }

    /** @param baseDir relative dataset paths are resolved against it (the config file's folder) */
    public static RunConfig parse(String fileName, String yaml, Path baseDir) {
        JsonNode root;
        YamlLines lines;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
            lines = YamlLines.index(yaml);
        } catch (JacksonException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new UserInputException(fileName, line, "invalid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UserInputException(fileName, "cannot read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new UserInputException(fileName, 1, "a run configuration must be a YAML mapping (see examples/)");
        }
        ConfigReader top = new ConfigReader(fileName, lines, (ObjectNode) root, "");

        long seed = top.longValue("seed", 42);
        int iterations = top.integer("iterations", 3, 1, 10_000);
        RunConfig.Role target = role(top, "target");
        RunConfig.Role oracle = role(top, "oracle");

        ConfigReader rt = top.section("red_team");
        var datasets = rt.sections("datasets", d -> dataset(d, baseDir));
        if (datasets.isEmpty()) throw rt.error("datasets", "'red_team.datasets' needs at least one dataset (e.g. - type: builtin)");
        var redTeam = new RunConfig.RedTeam(datasets,
                rt.integer("limit", 0, 0, Integer.MAX_VALUE),
                rt.integer("batch_size", 20, 1, 100_000),
                rt.choice("template", "standard", RunConfig.RedTeam.TEMPLATES),
                rt.decimal("heldout", 0.2, 0.0, 0.9));
        rt.rejectUnknownKeys();

        ConfigReader gen = top.section("generation");
        var generation = new RunConfig.Generation(
                gen.integer("max_tokens", 256, 1, 1_000_000),
                gen.decimal("temperature", 0.0, 0.0, 5.0),
                gen.decimal("top_p", 1.0, 0.0, 1.0),
                gen.decimal("frequency_penalty", 0.5, -2.0, 2.0));
        gen.rejectUnknownKeys();

        ConfigReader j = top.section("judge");
        var judge = new RunConfig.Judge(j.bool("show_prompt", false), j.integer("max_tokens", 64, 1, 100_000));
        j.rejectUnknownKeys();

        ConfigReader c = top.section("constitutions");
        var constitutions = new RunConfig.Constitutions(
                c.choice("revise_with", "new", RunConfig.Constitutions.REVISE_WITH),
                c.choice("mode", "paper", RunConfig.Constitutions.MODES),
                c.bool("propose_with_prompts", false),
                c.integer("max_tokens", 512, 1, 100_000));
        c.rejectUnknownKeys();

        boolean verify = top.bool("verify_revisions", true);

        ConfigReader t = top.section("training");
        var training = training(t, target);
        t.rejectUnknownKeys();

        ConfigReader ev = top.section("evaluation");
        List<String> suites = ev.strings("suites", List.of());
        for (String suite : suites) {
            if (!EvalSuites.NAMES.contains(suite)) {
                throw ev.error("suites", "unknown evaluation suite '" + suite + "'; expected one of " + String.join(", ", EvalSuites.NAMES));
            }
        }
        Map<String, String> data = new LinkedHashMap<>();
        ev.stringMap("data").forEach((name, path) -> data.put(name, resolve(path, baseDir)));
        var evaluation = new RunConfig.Evaluation(suites, ev.integer("every", 1, 1, 10_000), ev.integer("limit", 0, 0, Integer.MAX_VALUE), data);
        ev.rejectUnknownKeys();

        top.rejectUnknownKeys();
        return new RunConfig(seed, iterations, target, oracle, redTeam, generation, judge, constitutions, verify, training, evaluation);
    }

    private static RunConfig.Training training(ConfigReader t, RunConfig.Role target) {
        String trainer = t.choice("trainer", "none", RunConfig.Training.TRAINERS);
        var training = new RunConfig.Training(trainer,
                t.integer("rank", 16, 1, 1024),
                t.integer("alpha", 32, 1, 4096),
                t.decimal("dropout", 0.05, 0.0, 0.9),
                t.decimal("learning_rate", 2e-4, 1e-8, 1.0),
                t.integer("epochs", 3, 1, 1000),
                t.integer("max_length", 512, 16, 1 << 20),
                t.string("command", null),
                t.bool("vllm_lora", false),
                t.string("suffix", RunConfig.Training.DEFAULT_SUFFIX),
                t.decimal("price_per_million_tokens", 0.0, 0.0, 1_000_000.0),
                t.integer("poll_seconds", RunConfig.Training.DEFAULT_POLL_SECONDS, 1, 3600));
        if (trainer.equals("command") && (training.command() == null || training.command().isBlank())) {
            throw t.error("trainer", "trainer command needs 'training.command', e.g. "
                    + "\"python train.py --model {base_model} --data {data} --out {output_dir}\"");
        }
        if (training.command() != null) {
            try {
                CommandTemplate.parse(training.command());
            } catch (IllegalArgumentException e) {
                throw t.error("command", "'training.command': " + e.getMessage());
            }
        }
        if (!trainer.equals("command") && training.command() != null) {
            throw t.error("command", "'training.command' is read only by trainer command (the trainer is " + trainer + ")");
        }
        var kind = target.model().kind();
        if (training.vllmLora() && (!trainer.equals("command") || kind != ModelSpec.Kind.OPENAI_COMPATIBLE)) {
            throw t.error("vllm_lora", "'training.vllm_lora' loads the command trainer's adapter into the target's vLLM "
                    + "server: it needs trainer command and an openai-compatible:URL#NAME target");
        }
        if (trainer.equals("openai") && kind != ModelSpec.Kind.OPENAI && kind != ModelSpec.Kind.OPENAI_COMPATIBLE) {
            throw t.error("trainer", "trainer openai fine-tunes an openai: or openai-compatible: target, not " + target.model());
        }
        return training;
    }

    private static RunConfig.Role role(ConfigReader top, String name) {
        if (!top.has(name)) throw top.error(null, "missing required section '" + name + "' (with at least 'model: SPEC')");
        ConfigReader r = top.section(name);
        String specText = r.requiredString("model");
        ModelSpec spec;
        try {
            spec = ModelSpec.parse(specText);
        } catch (IllegalArgumentException e) {
            throw r.error("model", e.getMessage());
        }
        BackendOptions d = BackendOptions.defaults();
        String keyEnv = r.string("api_key_env", null);
        if (keyEnv != null && !keyEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw r.error("api_key_env", "'" + name + ".api_key_env' must be the NAME of an environment variable, not a key");
        }
        var options = new BackendOptions(keyEnv,
                r.integer("max_concurrency", d.maxConcurrency(), 1, 1024),
                r.integer("requests_per_minute", d.requestsPerMinute(), 0, 1_000_000),
                Duration.ofSeconds(r.integer("timeout_seconds", (int) d.timeout().toSeconds(), 1, 86_400)),
                r.integer("max_retries", d.maxRetries(), 0, 100));
        if (r.bool("batch", false)) {
            if (spec.kind() != ModelSpec.Kind.OPENAI && spec.kind() != ModelSpec.Kind.OPENAI_COMPATIBLE) {
                throw r.error("batch", "'" + name + ".batch' sends the role's prompts to the OpenAI Batch API; "
                        + spec + " is not an openai: or openai-compatible: model");
            }
            options = options.withBatch(Duration.ofSeconds(r.integer("batch_poll_seconds",
                    (int) BackendOptions.DEFAULT_BATCH_POLL.toSeconds(), 1, 3600)));
        } else if (r.has("batch_poll_seconds")) {
            throw r.error("batch_poll_seconds", "'" + name + ".batch_poll_seconds' is read only with 'batch: true'");
        }
        r.rejectUnknownKeys();
        return new RunConfig.Role(spec, options);
    }

    private static DatasetSpec dataset(ConfigReader d, Path baseDir) {
        String type = d.requiredString("type");
        if (!RedTeamDatasets.TYPES.contains(type)) {
            throw d.error("type", "unknown dataset type '" + type + "'; expected one of " + String.join(", ", RedTeamDatasets.TYPES));
        }
        String path = d.string("path", null);
        String field = d.string("field", null);
        if (type.equals("builtin") && path != null) throw d.error("path", "dataset type 'builtin' takes no 'path'");
        if ((type.equals("jsonl") || type.equals("csv")) && (path == null || field == null)) {
            throw d.error(null, "dataset type '" + type + "' needs 'path' and 'field' (the column that holds the prompt)");
        }
        return new DatasetSpec(type, path == null ? null : resolve(path, baseDir), field);
    }

    /** A path as the user wrote it: {@code ~/} is the home folder, a relative path is relative to the config. */
    private static String resolve(String path, Path baseDir) {
        String expanded = path.startsWith("~/") ? System.getProperty("user.home") + path.substring(1) : path;
        Path p = Path.of(expanded);
        return (p.isAbsolute() ? p : baseDir.resolve(p)).normalize().toString();
    }
}
