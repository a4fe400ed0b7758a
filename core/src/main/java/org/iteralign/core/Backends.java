package org.iteralign.core;

import org.iteralign.core.backend.OpenAiFineTuning;
import org.iteralign.core.backend.RemoteModels;
import org.iteralign.core.backend.batch.OpenAiBatchChatModel;
import org.iteralign.core.backend.VllmLoraAdapters;
import org.iteralign.core.config.RunConfig;
import org.iteralign.core.embedded.EmbeddedLoraTrainer;
import org.iteralign.core.pipeline.ExportOnlyTrainer;
import org.iteralign.core.pipeline.Trainer;
import org.iteralign.core.download.ModelResolver;
import org.iteralign.core.embedded.EmbeddedChatModel;
import org.iteralign.core.model.ModelFactory;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.pipeline.ProgressListener;
import org.iteralign.core.training.CommandTemplate;
import org.iteralign.core.training.CommandTrainer;
import org.iteralign.core.training.OpenAiTrainer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Every backend a model spec can name: remote ones (keys from the process environment) and the embedded engine
 * (model files fetched into {@link IteralignHome} on first use).
 */
public final class Backends {
    private Backends() {}

    /**
     * The trainer {@code training.trainer} names; embedded-lora needs a target the engine runs. Remote trainers read
     * their key from the target's {@code api_key_env} now, so a missing key stops the run before it starts.
     */
    public static Trainer trainer(RunConfig config, ProgressListener progress) {
        return switch (config.training().trainer()) {
            case "none" -> new ExportOnlyTrainer();
            case "embedded-lora" -> {
                var kind = config.target().model().kind();
                if (kind == ModelSpec.Kind.HF || kind == ModelSpec.Kind.HF_DIR) {
                    throw new UserInputException("training.trainer", "embedded-lora trains GGUF models so far; convert "
                            + config.target().model() + " with llama.cpp's convert_hf_to_gguf.py and use gguf:PATH");
                }
                if (config.target().model().isRemote()) {
                    throw new UserInputException("training.trainer", "embedded-lora fine-tunes models the embedded engine runs, not "
                            + config.target().model() + "; use trainer none to export the SFT data instead");
                }
                yield new EmbeddedLoraTrainer(config.training(), config.seed(), ModelResolver.standard(IteralignHome.root(), progress));
            }
            case "openai" -> new OpenAiTrainer(OpenAiFineTuning.open(config.target().model(), config.target().backend(), System::getenv),
                    config.training(), Duration.ofSeconds(config.training().pollSeconds()));
            case "command" -> new CommandTrainer(CommandTemplate.parse(config.training().command()),
                    ModelResolver.standard(IteralignHome.root(), progress),
                    config.training().vllmLora()
                            ? Optional.of(VllmLoraAdapters.open(config.target().model(), config.target().backend(), System::getenv))
                            : Optional.empty());
            default -> throw new UserInputException("training.trainer", "unknown trainer '" + config.training().trainer() + "'");
        };
    }

    /** Every backend, for commands that never send Batch API jobs. */
    public static ModelFactory standard(ProgressListener progress) {
        return standard(progress, null);
    }

    /** @param batchJournal the run store ({@code run.db}) that records Batch API jobs of models opened with {@code batch} */
    public static ModelFactory standard(ProgressListener progress, Path batchJournal) {
        ModelResolver resolver = ModelResolver.standard(IteralignHome.root(), progress);
        return (spec, options) -> {
            if (options.batch()) {
                if (batchJournal == null) throw new IllegalStateException("Batch API jobs need a run store to be recorded in");
                return OpenAiBatchChatModel.open(spec, options, System::getenv, batchJournal, progress);
            }
            if (spec.isRemote()) return RemoteModels.open(spec, options, System::getenv);
            Path file = resolver.resolve(spec);
            progress.note("loading " + spec.text() + " (" + file + ")");
            return EmbeddedChatModel.load(spec.text(), file);
        };
    }
}
