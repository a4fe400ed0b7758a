package org.iteralign.cli;

import org.iteralign.core.UserInputException;
import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.ModelSpec;

/** Opens the model a {@code --model SPEC} option names. */
final class ModelOption {
    private ModelOption() {}

    static ChatModel open(String specText) {
        ModelSpec spec;
        try {
            spec = ModelSpec.parse(specText);
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--model", e.getMessage());
        }
        return CliModels.factory().open(spec, BackendOptions.defaults());
    }
}
