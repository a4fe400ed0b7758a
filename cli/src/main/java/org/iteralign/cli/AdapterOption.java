package org.iteralign.cli;

import org.iteralign.core.IteralignHome;
import org.iteralign.core.UserInputException;
import org.iteralign.core.download.ModelResolver;
import org.iteralign.core.embedded.AdapterMerge;
import org.iteralign.core.embedded.EmbeddedChatModel;
import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.ModelSpec;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code --model SPEC} with {@code --adapter DIR}: the adapter is merged into the base once, into the cache
 * ({@code $ITERALIGN_HOME/merged/}), and the merged GGUF answers. Merged rather than applied on the fly so the
 * engine runs at the base model's speed, as the pipeline's iterations do.
 */
final class AdapterOption {
    private AdapterOption() {}

    /** The model {@code spec} names, with {@code adapterDir} merged in when it is not null. */
    static ChatModel open(String spec, Path adapterDir) {
        if (adapterDir == null) return ModelOption.open(spec);
        if (!Files.isDirectory(adapterDir)) throw new UserInputException(adapterDir, "no such adapter folder");
        Path base = baseGguf(spec, "--adapter");
        Path merged = AdapterMerge.cached(IteralignHome.root(), base, adapterDir);
        return EmbeddedChatModel.load(spec + "+" + adapterDir, merged);
    }

    /** The local GGUF file of an embedded model spec, fetched first when needed; {@code purpose} names what needs it. */
    static Path baseGguf(String specText, String purpose) {
        ModelSpec spec;
        try {
            spec = ModelSpec.parse(specText);
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--model", e.getMessage());
        }
        if (spec.isRemote()) {
            throw new UserInputException("--model", purpose + " needs a model this machine runs (an alias, gguf:PATH or hf:ORG/NAME), not "
                    + spec.text());
        }
        Path path = ModelResolver.standard(IteralignHome.root(), TerminalProgress.forStderr()).resolve(spec);
        if (Files.isDirectory(path)) {
            throw new UserInputException("--model", purpose + " needs a GGUF model, and " + spec.text() + " is a Hugging Face folder");
        }
        return path;
    }
}
