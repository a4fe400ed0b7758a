package org.iteralign.core.config;

import org.iteralign.core.UserInputException;
import org.iteralign.core.model.ModelSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunConfigLoaderTest {
    private static final String MINIMAL = """
            target:
              model: openai-compatible:http://127.0.0.1:8080/v1#small
            oracle:
              model: anthropic:claude-3-5-haiku-latest
              api_key_env: ANTHROPIC_API_KEY
            red_team:
              datasets:
                - type: builtin
            """;

    private static RunConfig parse(String yaml) {
        return RunConfigLoader.parse("run.yaml", yaml, Path.of("/configs"));
    }

    private static UserInputException error(String yaml) {
        return assertThrows(UserInputException.class, () -> parse(yaml));
    }

    @Test
    void appliesThePapersDefaults() {
        RunConfig c = parse(MINIMAL);
        assertEquals(20, c.redTeam().batchSize());
        assertEquals(0.2, c.redTeam().heldout());
        assertEquals("standard", c.redTeam().template());
        assertEquals(0.0, c.generation().temperature());
        assertEquals(0.5, c.generation().frequencyPenalty());
        assertEquals("new", c.constitutions().reviseWith());
        assertEquals("paper", c.constitutions().mode());
        assertTrue(c.verifyRevisions());
        assertEquals("none", c.training().trainer());
        assertEquals(ModelSpec.Kind.OPENAI_COMPATIBLE, c.target().model().kind());
        assertEquals("http://127.0.0.1:8080/v1", c.target().model().location());
        assertEquals("ANTHROPIC_API_KEY", c.oracle().backend().apiKeyEnv());
    }

    @Test
    void rawPromptsStopAtABlankLineAsInThePapersCode() {
        RunConfig c = parse(MINIMAL);
        assertEquals(java.util.List.of("\n\n"), c.generation().sampling(1, true).stop());
        assertTrue(c.generation().sampling(1, false).stop().isEmpty());
    }

    @Test
    void resolvesDatasetPathsAgainstTheConfigFolder() {
        RunConfig c = parse(MINIMAL.replace("- type: builtin", "- type: dangerousqa\n      path: data/dqa.json"));
        assertEquals(Path.of("/configs/data/dqa.json").toString(), c.redTeam().datasets().getFirst().path());
    }

    @Test
    void unknownKeyIsAnErrorWithItsLine() {
        UserInputException e = error(MINIMAL + "iteratons: 3\n");
        assertEquals(9, e.line());
        assertTrue(e.getMessage().contains("unknown key 'iteratons'"), e.getMessage());
    }

    @Test
    void unknownNestedKeyNamesItsPath() {
        UserInputException e = error(MINIMAL.replace("  datasets:", "  batchsize: 4\n  datasets:"));
        assertEquals(7, e.line());
        assertTrue(e.getMessage().contains("red_team.batchsize"), e.getMessage());
    }

    @Test
    void badValuesNameKeyAndLine() {
        UserInputException e = error(MINIMAL + "iterations: many\n");
        assertEquals(9, e.line());
        assertTrue(e.getMessage().contains("'iterations' must be a whole number"), e.getMessage());

        e = error(MINIMAL.replace("    - type: builtin", "    - type: builtin\n  template: fancy"));
        assertEquals(9, e.line());
        assertTrue(e.getMessage().contains("expected one of standard, cou, raw"), e.getMessage());

        e = error(MINIMAL.replace("    - type: builtin", "    - type: builtin\n  heldout: 1.5"));
        assertTrue(e.getMessage().contains("red_team.heldout"), e.getMessage());
    }

    @Test
    void malformedModelSpecAndMissingSections() {
        UserInputException e = error(MINIMAL.replace("openai-compatible:http://127.0.0.1:8080/v1#small", "openai-compatible:nohash"));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("openai-compatible:URL#MODEL"), e.getMessage());

        e = error("oracle:\n  model: openai:gpt-4o-mini\nred_team:\n  datasets:\n    - type: builtin\n");
        assertTrue(e.getMessage().contains("missing required section 'target'"), e.getMessage());
    }

    @Test
    void aKeyInsteadOfAVariableNameIsRefused() {
        UserInputException e = error(MINIMAL.replace("api_key_env: ANTHROPIC_API_KEY", "api_key_env: sk-ant-abc123-secret"));
        assertTrue(e.getMessage().contains("NAME of an environment variable"), e.getMessage());
        assertFalse(e.toErrorLine().contains("sk-ant-abc123-secret"));
    }

    @Test
    void invalidYamlReportsItsLine() {
        UserInputException e = error("target:\n  model: [unclosed\n");
        assertTrue(e.line() >= 2, "line " + e.line());
        assertTrue(e.getMessage().startsWith("invalid YAML"), e.getMessage());
    }

    @Test
    void missingFileIsAUserError() {
        UserInputException e = assertThrows(UserInputException.class, () -> RunConfigLoader.load(Path.of("/nonexistent/run.yaml")));
        assertEquals("error: /nonexistent/run.yaml: file not found", e.toErrorLine());
    }

    @Test
    void writtenConfigReadsBackToTheSameValue() {
        RunConfig original = parse(MINIMAL.replace("- type: builtin", "- type: jsonl\n      path: /data/p.jsonl\n      field: question")
                + "iterations: 4\nconstitutions:\n  revise_with: library\n  mode: system\n");
        String yaml = RunConfigWriter.toYaml(original);
        assertEquals(original, parse(yaml));
        assertEquals(yaml, RunConfigWriter.toYaml(parse(yaml)));
    }

    @Test
    void urlCredentialsNeverReachTheWrittenConfig() {
        RunConfig c = parse(MINIMAL.replace("http://127.0.0.1:8080/v1#small", "https://alice:s3cret@example.org/v1#small"));
        String yaml = RunConfigWriter.toYaml(c);
        assertFalse(yaml.contains("s3cret"), yaml);
        assertTrue(yaml.contains("https://REDACTED@example.org/v1#small"), yaml);
    }

    @Test
    void everyShippedExampleLoads() throws Exception {
        Path examples = Path.of(System.getProperty("maven.multiModuleProjectDirectory", ".."), "examples");
        if (!Files.isDirectory(examples)) examples = Path.of("..", "examples");
        try (Stream<Path> files = Files.list(examples)) {
            var yamls = files.filter(p -> p.toString().endsWith(".yaml")).toList();
            assertFalse(yamls.isEmpty(), "no examples in " + examples.toAbsolutePath());
            for (Path p : yamls) RunConfigLoader.load(p);
        }
    }

    @Test
    void evaluationAndTrainingSections() {
        RunConfig c = parse(MINIMAL + """
                training:
                  trainer: embedded-lora
                  epochs: 2
                evaluation:
                  suites: [redteam-heldout, overrefusal]
                  every: 2
                  data:
                    overrefusal: data/xstest.csv
                """);
        assertEquals("embedded-lora", c.training().trainer());
        assertEquals(2, c.training().epochs());
        assertEquals(16, c.training().rank());
        assertEquals(2e-4, c.training().learningRate());
        assertEquals(java.util.List.of("redteam-heldout", "overrefusal"), c.evaluation().suites());
        assertEquals(Path.of("/configs/data/xstest.csv").toString(), c.evaluation().data().get("overrefusal"));
        assertEquals(c, parse(RunConfigWriter.toYaml(c)));

        UserInputException e = error(MINIMAL + "evaluation:\n  suites: [truthiness]\n");
        assertEquals(10, e.line());
        assertTrue(e.getMessage().contains("unknown evaluation suite 'truthiness'"), e.getMessage());
        assertTrue(parse(MINIMAL).evaluation().suites().isEmpty(), "no evaluation unless asked for");
    }
}
