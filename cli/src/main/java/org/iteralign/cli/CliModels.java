package org.iteralign.cli;

import org.iteralign.core.UserInputException;
import org.iteralign.core.backend.RemoteModels;
import org.iteralign.core.model.ModelFactory;

/** The backends the command line can open. API keys come from the process environment only. */
final class CliModels {
    private CliModels() {}

    static ModelFactory factory() {
        return (spec, options) -> {
            if (spec.isRemote()) return RemoteModels.open(spec, options, System::getenv);
            throw new UserInputException(spec.text(), "the embedded engine is not available in this build yet; "
                    + "serve the model with an OpenAI-compatible server and use openai-compatible:URL#NAME");
        };
    }
}
