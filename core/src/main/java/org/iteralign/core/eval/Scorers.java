package org.iteralign.core.eval;

import org.iteralign.core.UserInputException;
import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.model.ScoringModel;

/** Where a model's log-likelihoods come from: the model itself (the embedded engine), or a server's completions endpoint. */
public final class Scorers {
    private Scorers() {}

    /**
     * @param model the opened model, or null when only scoring is needed and the spec is remote
     * @throws UserInputException when the backend cannot score (Anthropic, which returns no log-probabilities)
     */
    public static ScoringModel forModel(ModelSpec spec, ChatModel model, BackendOptions options) {
        if (model instanceof ScoringModel own) return own;
        if (spec.kind() == ModelSpec.Kind.OPENAI || spec.kind() == ModelSpec.Kind.OPENAI_COMPATIBLE) {
            return new CompletionsScoringModel(spec, options, System::getenv);
        }
        throw new UserInputException(spec.text(), "the log-likelihood suites (truthfulqa-mc, truthfulqa-tf, hhh) need a model "
                + "that can score text: the embedded engine, or an OpenAI-compatible server such as vLLM");
    }
}
