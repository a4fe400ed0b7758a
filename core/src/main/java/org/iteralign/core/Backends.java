package org.iteralign.core;

import org.iteralign.core.backend.RemoteModels;
import org.iteralign.core.config.RunConfig;
import org.iteralign.core.embedded.EmbeddedLoraTrainer;
import org.iteralign.core.pipeline.ExportOnlyTrainer;
import org.iteralign.core.pipeline.Trainer;
import org.iteralign.core.download.ModelResolver;
import org.iteralign.core.embedded.EmbeddedChatModel;
import org.iteralign.core.model.ModelFactory;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.pipeline.ProgressListener;

import java.nio.file.Path;

/**
 * Every backend a model spec can name: remote ones (keys from the process environment) and the embedded engine
 * (model files fetched into {@link IteralignHome} on first use).
 */
public final class Backends {
    private Backends() {}

    /** The trainer {@code training.trainer} names; embedded-lora needs a target the engine runs. */
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
            default -> throw new UserInputException("training.trainer", "unknown trainer '" + config.training().trainer() + "'");
        };
    }

    public static ModelFactory standard(ProgressListener progress) {
        ModelResolver resolver = ModelResolver.standard(IteralignHome.root(), progress);
        return (spec, options) -> {
            if (spec.isRemote()) return RemoteModels.open(spec, options, System::getenv);
            Path file = resolver.resolve(spec);
            progress.note("loading " + spec.text() + " (" + file + ")");
            return EmbeddedChatModel.load(spec.text(), file);
        };
    }
}
