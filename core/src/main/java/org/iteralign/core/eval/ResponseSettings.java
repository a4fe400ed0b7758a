package org.iteralign.core.eval;

import org.iteralign.core.model.Sampling;

/**
 * How the generation suites ask and judge: the target's decoding (greedy by default, so a score depends on the
 * model alone), whether the judge sees the prompt (the reference code's judge does not), and the judge's reply
 * length.
 */
public record ResponseSettings(Sampling target, boolean judgeSeesPrompt, int judgeMaxTokens) {
    public static ResponseSettings defaults() {
        return new ResponseSettings(Sampling.greedy(256), false, 64);
    }
}
