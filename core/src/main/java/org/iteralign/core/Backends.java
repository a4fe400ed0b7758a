package org.iteralign.core;

import org.iteralign.core.backend.RemoteModels;
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

    public static ModelFactory standard(ProgressListener progress) {
        ModelResolver resolver = ModelResolver.standard(IteralignHome.root(), progress);
        return (spec, options) -> {
            if (spec.isRemote()) return RemoteModels.open(spec, options, System::getenv);
            if (spec.kind() == ModelSpec.Kind.HF || spec.kind() == ModelSpec.Kind.HF_DIR) {
                throw new UserInputException(spec.text(), "the embedded engine reads GGUF files only so far; "
                        + "convert the model to GGUF (llama.cpp's convert_hf_to_gguf.py) and use gguf:PATH");
            }
            Path file = resolver.resolve(spec);
            progress.note("loading " + spec.text() + " (" + file + ")");
            return EmbeddedChatModel.load(spec.text(), file);
        };
    }
}
