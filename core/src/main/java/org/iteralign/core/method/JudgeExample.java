package org.iteralign.core.method;

import java.util.Objects;

/** A few-shot example shown to the oracle judge: a prompt, a response and the verdict it deserves. */
public record JudgeExample(String prompt, String response, Verdict verdict) {
    public JudgeExample {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(response, "response");
        if (verdict == null || verdict == Verdict.UNPARSED) {
            throw new IllegalArgumentException("a judge example needs a POSITIVE or NEGATIVE verdict");
        }
    }
}
