package org.iteralign.core.config;

import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.model.Sampling;
import org.iteralign.core.redteam.DatasetSpec;

import java.util.List;
import java.util.Map;

/**
 * A resolved run configuration: every default applied, every path absolute. {@link RunConfigLoader} reads it
 * from YAML; {@link RunConfigWriter} writes it back as the run directory's {@code config.yaml}.
 */
public record RunConfig(long seed, int iterations, Role target, Role oracle, RedTeam redTeam, Generation generation,
                        Judge judge, Constitutions constitutions, boolean verifyRevisions, Training training,
                        Evaluation evaluation) {

    /** A model in one role and how to reach it. API keys are never here: only the name of their variable. */
    public record Role(ModelSpec model, BackendOptions backend) {}

    public record RedTeam(List<DatasetSpec> datasets, int limit, int batchSize, String template, double heldout) {
        public static final List<String> TEMPLATES = List.of("standard", "cou", "raw");
    }

    /**
     * Target decoding. Defaults follow the paper's code: greedy, frequency penalty 0.5; {@code raw} prompts
     * also stop at a blank line, as the code's {@code stop="\n\n"} did for hh-rlhf transcripts.
     */
    public record Generation(int maxTokens, double temperature, double topP, double frequencyPenalty) {
        public Sampling sampling(long seed, boolean rawPrompts) {
            Sampling s = new Sampling(temperature, topP, 0, frequencyPenalty, 0.0, maxTokens, List.of(), seed);
            return rawPrompts ? s.withStop(List.of("\n\n")) : s;
        }
    }

    /** Oracle settings: the judge sees only the response unless {@code showPrompt} (the paper's text) is set. */
    public record Judge(boolean showPrompt, int maxTokens) {}

    /**
     * {@code reviseWith}: "new" (only this iteration's principles, like the paper's code) or "library" (all);
     * {@code mode}: "paper" (inserted before the prompt's last paragraph) or "system" (a system message).
     */
    public record Constitutions(String reviseWith, String mode, boolean proposeWithPrompts, int maxTokens) {
        public static final List<String> REVISE_WITH = List.of("new", "library");
        public static final List<String> MODES = List.of("paper", "system");
    }

    /**
     * {@code trainer}: "none" (export the SFT data only), "embedded-lora" (LoRA on this machine's CPU), "openai"
     * (the OpenAI fine-tuning API, or a provider that copies it, training the target) or "command" (a user's command
     * template, e.g. a TRL or Axolotl launch). The LoRA defaults override the paper's full-fine-tuning learning rate
     * (2e-6), under which an adapter would barely move.
     *
     * @param command               the command trainer's template (null for other trainers)
     * @param vllmLora              load the command's adapter into the target's vLLM server instead of restarting it
     * @param suffix                the OpenAI trainer's model-name suffix
     * @param pricePerMillionTokens the OpenAI trainer's training price in USD, 0 when unknown (tokens are still recorded)
     * @param pollSeconds           the longest wait between two looks at a remote job
     */
    public record Training(String trainer, int rank, int alpha, double dropout, double learningRate, int epochs,
                           int maxLength, String command, boolean vllmLora, String suffix, double pricePerMillionTokens,
                           int pollSeconds) {
        public static final List<String> TRAINERS = List.of("none", "embedded-lora", "openai", "command");
        public static final String DEFAULT_SUFFIX = "iteralign";
        public static final int DEFAULT_POLL_SECONDS = 60;
    }

    /**
     * Suites run on the starting model ({@code iterations/000/eval.json}) and after every {@code every}
     * iterations; {@code limit} caps each suite's items (0: all); {@code data} gives a suite's file by name.
     */
    public record Evaluation(List<String> suites, int every, int limit, Map<String, String> data) {
        public Evaluation {
            suites = List.copyOf(suites);
            data = Map.copyOf(data);
        }
    }
}
