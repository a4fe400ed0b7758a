package org.iteralign.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import org.iteralign.core.redteam.DatasetSpec;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a resolved configuration as YAML that {@link RunConfigLoader} reads back to the same value. Keys
 * never appear: the config only ever holds the names of their environment variables, and credentials
 * embedded in a URL ({@code https://user:secret@host}) are redacted.
 */
public final class RunConfigWriter {
    private RunConfigWriter() {}

    public static String toYaml(RunConfig c) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("seed", c.seed());
        root.put("iterations", c.iterations());
        root.put("target", role(c.target()));
        root.put("oracle", role(c.oracle()));
        Map<String, Object> rt = new LinkedHashMap<>();
        List<Map<String, Object>> datasets = new ArrayList<>();
        for (DatasetSpec d : c.redTeam().datasets()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", d.type());
            if (d.path() != null) m.put("path", d.path());
            if (d.field() != null) m.put("field", d.field());
            datasets.add(m);
        }
        rt.put("datasets", datasets);
        rt.put("limit", c.redTeam().limit());
        rt.put("batch_size", c.redTeam().batchSize());
        rt.put("template", c.redTeam().template());
        rt.put("heldout", c.redTeam().heldout());
        root.put("red_team", rt);
        root.put("generation", Map.of(
                "max_tokens", c.generation().maxTokens(),
                "temperature", c.generation().temperature(),
                "top_p", c.generation().topP(),
                "frequency_penalty", c.generation().frequencyPenalty()));
        root.put("judge", Map.of("show_prompt", c.judge().showPrompt(), "max_tokens", c.judge().maxTokens()));
        root.put("constitutions", Map.of(
                "revise_with", c.constitutions().reviseWith(),
                "mode", c.constitutions().mode(),
                "propose_with_prompts", c.constitutions().proposeWithPrompts(),
                "max_tokens", c.constitutions().maxTokens()));
        root.put("verify_revisions", c.verifyRevisions());
        var t = c.training();
        Map<String, Object> training = new TreeMap<>(Map.of("trainer", t.trainer(), "rank", t.rank(), "alpha", t.alpha(),
                "dropout", t.dropout(), "learning_rate", t.learningRate(), "epochs", t.epochs(), "max_length", t.maxLength()));
        // The remote trainers' keys only where they matter or were set, so that runs written before they existed still resume.
        boolean openai = t.trainer().equals("openai");
        if (openai || !t.suffix().equals(RunConfig.Training.DEFAULT_SUFFIX)) training.put("suffix", t.suffix());
        if (openai || t.pricePerMillionTokens() != 0) training.put("price_per_million_tokens", t.pricePerMillionTokens());
        if (openai || t.pollSeconds() != RunConfig.Training.DEFAULT_POLL_SECONDS) training.put("poll_seconds", t.pollSeconds());
        if (t.command() != null) training.put("command", t.command());
        if (t.vllmLora()) training.put("vllm_lora", true);
        root.put("training", training);
        var ev = c.evaluation();
        Map<String, Object> evaluation = new LinkedHashMap<>();
        evaluation.put("suites", ev.suites());
        evaluation.put("every", ev.every());
        evaluation.put("limit", ev.limit());
        evaluation.put("data", new TreeMap<>(ev.data()));
        root.put("evaluation", evaluation);
        try {
            YAMLFactory yaml = YAMLFactory.builder()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .build();
            return new ObjectMapper(yaml).writeValueAsString(sorted(root));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Map.of has no order; sort nested maps by key so the file is stable from run to run. */
    @SuppressWarnings("unchecked")
    private static Object sorted(Object value) {
        if (value instanceof LinkedHashMap<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            ((Map<String, Object>) m).forEach((k, v) -> out.put(k, sorted(v)));
            return out;
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            ((Map<String, Object>) m).entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> out.put(e.getKey(), sorted(e.getValue())));
            return out;
        }
        if (value instanceof List<?> l) return l.stream().map(RunConfigWriter::sorted).toList();
        return value;
    }

    private static Map<String, Object> role(RunConfig.Role r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", redactUrlCredentials(r.model().text()));
        if (r.backend().apiKeyEnv() != null) m.put("api_key_env", r.backend().apiKeyEnv());
        m.put("max_concurrency", r.backend().maxConcurrency());
        m.put("requests_per_minute", r.backend().requestsPerMinute());
        m.put("timeout_seconds", r.backend().timeout().toSeconds());
        m.put("max_retries", r.backend().maxRetries());
        // Only when on, so that configurations written before the option existed still resume.
        if (r.backend().batch()) {
            m.put("batch", true);
            m.put("batch_poll_seconds", r.backend().batchPollInterval().toSeconds());
        }
        return m;
    }

    /** {@code https://user:secret@host} becomes {@code https://REDACTED@host}: a spec may end up in logs and files. */
    public static String redactUrlCredentials(String text) {
        return text.replaceAll("(https?://)[^/@\\s]+@", "$1REDACTED@");
    }
}
