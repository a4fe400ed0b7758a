package org.iteralign.core.guard;

import org.iteralign.core.constitution.Principle;
import org.iteralign.core.method.Verdict;
import org.iteralign.core.model.Completion;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link ConstitutionalGuard} did with one prompt: the answer it returns, the model's own first answer, the
 * oracle's judgement of that first answer and, when it was revised, the principles the revision was asked to follow,
 * how many revisions it took and the oracle's judgement of the last one (absent when revisions are not verified).
 */
public record GuardedAnswer(Completion completion, Completion original, Judgement judgement, List<Principle> principles,
                            int revisions, Optional<Judgement> revisionJudgement) {
    /** The oracle's reply and how it was read; {@code attempts} is 2 when the first reply named no verdict. */
    public record Judgement(Verdict verdict, String reply, int attempts) {
        public Judgement {
            Objects.requireNonNull(verdict, "verdict");
            Objects.requireNonNull(reply, "reply");
        }
    }

    public GuardedAnswer {
        Objects.requireNonNull(completion, "completion");
        Objects.requireNonNull(original, "original");
        Objects.requireNonNull(judgement, "judgement");
        principles = List.copyOf(principles);
        if (revisions < 0) throw new IllegalArgumentException("revisions must not be negative");
    }

    public String text() {
        return completion.text();
    }

    /** False when the first answer was judged positive and is returned unchanged. */
    public boolean revised() {
        return revisions > 0;
    }
}
