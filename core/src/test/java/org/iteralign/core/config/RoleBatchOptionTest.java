package org.iteralign.core.config;

import org.iteralign.core.UserInputException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code batch} option of a role: which models may use the Batch API, and that it survives config.yaml. */
class RoleBatchOptionTest {
    private static RunConfig parse(String target, String oracle) {
        return RunConfigLoader.parse("run.yaml", """
                target:
                %s
                oracle:
                %s
                red_team:
                  datasets:
                    - type: builtin
                """.formatted(target.indent(2).stripTrailing(), oracle.indent(2).stripTrailing()), Path.of("/configs"));
    }

    @Test
    void anOpenAiOracleCanSendItsJudgementsAsBatchJobs() {
        RunConfig c = parse("model: smollm2-135m-instruct", "model: openai:gpt-4o-mini\nbatch: true\nbatch_poll_seconds: 120");

        assertTrue(c.oracle().backend().batch());
        assertEquals(Duration.ofSeconds(120), c.oracle().backend().batchPollInterval());
        assertFalse(c.target().backend().batch());
        assertEquals(c, RunConfigLoader.parse("run.yaml", RunConfigWriter.toYaml(c), Path.of("/configs")));
    }

    @Test
    void batchIsWrittenOnlyWhenOnSoEarlierRunsStillResume() {
        RunConfig c = parse("model: smollm2-135m-instruct", "model: openai:gpt-4o-mini");

        String yaml = RunConfigWriter.toYaml(c);
        assertFalse(yaml.contains("batch:") || yaml.contains("batch_poll_seconds"), yaml);
    }

    @Test
    void batchOnAModelWithoutTheBatchApiIsAnErrorAtItsLine() {
        var e = assertThrows(UserInputException.class,
                () -> parse("model: gguf:/models/small.gguf\nbatch: true", "model: openai:gpt-4o-mini"));

        assertEquals(3, e.line());
        assertTrue(e.toErrorLine().startsWith("error: run.yaml:3: 'target.batch' sends the role's prompts to the OpenAI Batch API"),
                e.toErrorLine());
    }

    @Test
    void aPollIntervalWithoutBatchIsAnError() {
        var e = assertThrows(UserInputException.class,
                () -> parse("model: smollm2-135m-instruct", "model: openai:gpt-4o-mini\nbatch_poll_seconds: 10"));

        assertEquals(5, e.line());
        assertTrue(e.getMessage().contains("'oracle.batch_poll_seconds' is read only with 'batch: true'"), e.getMessage());
    }
}
