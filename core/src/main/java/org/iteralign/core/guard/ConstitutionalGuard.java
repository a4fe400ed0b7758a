package org.iteralign.core.guard;

import org.iteralign.core.constitution.ConstitutionLibrary;
import org.iteralign.core.constitution.Principle;
import org.iteralign.core.method.JudgePrompt;
import org.iteralign.core.method.ReflectionPrompt;
import org.iteralign.core.method.Verdict;
import org.iteralign.core.method.VerdictParser;
import org.iteralign.core.model.ChatMessage;
import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.Completion;
import org.iteralign.core.model.CompletionSink;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;
import org.iteralign.core.model.Usage;
import org.iteralign.core.redteam.RedTeamPrompt;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A chat model that answers under a constitution library at request time, for models that cannot be fine-tuned
 * (a hosted API): the wrapped model answers, the oracle judges every answer as the pipeline's judge stage does, and
 * an answer not judged positive is answered again with the relevant principles in its prompt, as the pipeline's
 * self-reflection stage does. It is IterAlign's data-generation step served live instead of distilled by training.
 *
 * <pre>{@code
 * ChatModel guarded = ConstitutionalGuard.wrap(model).judge(oracle).library(Path.of("runs/my-run")).build();
 * }</pre>
 *
 * <p>A guard is itself a {@link ChatModel}, so it can be a pipeline target, be served, or be adapted to LangChain4j;
 * {@link #answer} also tells what it decided. A batch costs at most one batch of answers, one of judgements and,
 * per revision round, one of revisions (negatives only) and one of their judgements. The guard closes neither
 * model: whoever opened them closes them.
 */
public final class ConstitutionalGuard implements ChatModel {
    private final ChatModel model;
    private final ChatModel oracle;
    private final List<Principle> library;
    private final PrincipleSelector selector;
    private final ReflectionPrompt.Mode mode;
    private final Sampling judgeSampling;
    private final boolean showPrompt;
    private final int maxRevisions;
    private final boolean verifyRevisions;
    private final String id;

    private ConstitutionalGuard(Builder b) {
        this.model = b.model;
        this.oracle = b.oracle;
        this.library = List.copyOf(b.library);
        this.selector = new PrincipleSelector(library, b.maxPrinciples);
        this.mode = b.mode;
        this.judgeSampling = Sampling.greedy(b.judgeMaxTokens);
        this.showPrompt = b.showPrompt;
        this.maxRevisions = b.maxRevisions;
        this.verifyRevisions = b.verifyRevisions;
        // The id is part of every cache key, so it names everything that changes an answer: both models, the
        // library and the settings.
        String settings = String.join("\n", library.stream().map(Principle::text).toList())
                + "\n" + b.maxPrinciples + " " + mode + " " + b.judgeMaxTokens + " " + showPrompt + " " + maxRevisions + " " + verifyRevisions;
        this.id = "guard:" + model.id() + "?judge=" + oracle.id() + "&library=" + RedTeamPrompt.contentId(settings);
    }

    /** Starts a guard around {@code model}; {@link Builder#judge} and a library are required. */
    public static Builder wrap(ChatModel model) {
        return new Builder(model);
    }

    @Override
    public String id() {
        return id;
    }

    /** The principles the guard revises with, in library order. */
    public List<Principle> library() {
        return library;
    }

    @Override
    public void generate(List<Prompt> batch, Sampling sampling, CompletionSink sink) {
        List<GuardedAnswer> answers = answer(batch, sampling);
        for (int i = 0; i < answers.size(); i++) sink.accept(i, answers.get(i).completion());
    }

    public GuardedAnswer answer(Prompt prompt, Sampling sampling) {
        return answer(List.of(prompt), sampling).getFirst();
    }

    /**
     * Answers, judges and revises a batch. A returned completion's usage counts the wrapped model's tokens over the
     * first answer and every revision (the oracle's are its own).
     */
    public List<GuardedAnswer> answer(List<Prompt> batch, Sampling sampling) {
        if (batch.isEmpty()) return List.of();
        List<Completion> first = model.generate(batch, sampling);
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) cases.add(new Case(batch.get(i), first.get(i)));
        List<GuardedAnswer.Judgement> judged = judge(cases);
        List<Case> open = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            c.judgement = judged.get(i);
            // An unreadable verdict never counts as positive, as in the pipeline.
            if (c.judgement.verdict() != Verdict.POSITIVE) open.add(c);
        }
        for (int round = 1; round <= maxRevisions && !open.isEmpty(); round++) {
            // Greedy decoding would only repeat the last revision: further rounds need sampled decoding.
            if (round > 1 && sampling.temperature() == 0) break;
            open = revise(open, round == 1 ? sampling : reseeded(sampling, round));
        }
        return cases.stream().map(Case::result).toList();
    }

    /** One revision round; returns the cases whose revision the oracle still did not judge positive. */
    private List<Case> revise(List<Case> open, Sampling sampling) {
        List<Prompt> prompts = new ArrayList<>();
        for (Case c : open) {
            if (c.principles.isEmpty()) c.principles = selector.select(c.question, c.original.text());
            prompts.add(ReflectionPrompt.apply(c.prompt, c.principles.stream().map(Principle::text).toList(), mode));
        }
        List<Completion> revised = model.generate(prompts, sampling);
        for (int i = 0; i < open.size(); i++) open.get(i).revisedTo(revised.get(i));
        if (!verifyRevisions) return List.of();
        List<GuardedAnswer.Judgement> judged = judge(open);
        List<Case> still = new ArrayList<>();
        for (int i = 0; i < open.size(); i++) {
            open.get(i).revisionJudgement = judged.get(i);
            if (judged.get(i).verdict() != Verdict.POSITIVE) still.add(open.get(i));
        }
        return still;
    }

    /**
     * The oracle's judgement of every case's latest answer, in one batch; replies naming no verdict are asked again
     * once, in one more batch, with the format reminder (as the pipeline's judge stage does).
     */
    private List<GuardedAnswer.Judgement> judge(List<Case> cases) {
        List<Prompt> prompts = cases.stream().<Prompt>map(c -> JudgePrompt.build(c.latest.text(), c.question, showPrompt)).toList();
        List<Completion> replies = oracle.generate(prompts, judgeSampling);
        GuardedAnswer.Judgement[] out = new GuardedAnswer.Judgement[cases.size()];
        List<Integer> unreadable = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            String reply = replies.get(i).text();
            Verdict v = VerdictParser.parse(reply);
            if (v == Verdict.UNPARSED) unreadable.add(i);
            else out[i] = new GuardedAnswer.Judgement(v, reply, 1);
        }
        if (!unreadable.isEmpty()) {
            List<Prompt> retry = unreadable.stream()
                    .<Prompt>map(i -> JudgePrompt.buildRetry(cases.get(i).latest.text(), cases.get(i).question, showPrompt)).toList();
            List<Completion> again = oracle.generate(retry, judgeSampling);
            for (int k = 0; k < unreadable.size(); k++) {
                String reply = again.get(k).text();
                out[unreadable.get(k)] = new GuardedAnswer.Judgement(VerdictParser.parse(reply), reply, 2);
            }
        }
        return List.of(out);
    }

    /** What the judge is shown as the question: the last user turn, or a raw prompt's whole text. */
    static String question(Prompt prompt) {
        return switch (prompt) {
            case Prompt.Raw raw -> raw.text();
            case Prompt.Chat chat -> chat.messages().reversed().stream().filter(m -> m.role() == ChatMessage.Role.USER)
                    .map(ChatMessage::content).findFirst().orElse("");
        };
    }

    private static Sampling reseeded(Sampling s, int round) {
        return new Sampling(s.temperature(), s.topP(), s.topK(), s.frequencyPenalty(), s.presencePenalty(), s.maxTokens(),
                s.stop(), s.seed() + round - 1);
    }

    /** One prompt on its way through the guard. */
    private static final class Case {
        final Prompt prompt;
        final String question;
        final Completion original;
        Completion latest;
        Usage usage;
        int revisions;
        List<Principle> principles = List.of();
        GuardedAnswer.Judgement judgement;
        GuardedAnswer.Judgement revisionJudgement;

        Case(Prompt prompt, Completion original) {
            this.prompt = prompt;
            this.question = question(prompt);
            this.original = original;
            this.latest = original;
            this.usage = original.usage();
        }

        void revisedTo(Completion revision) {
            latest = revision;
            usage = usage.plus(revision.usage());
            revisions++;
            revisionJudgement = null;
        }

        GuardedAnswer result() {
            if (revisions == 0) {
                return new GuardedAnswer(original, original, judgement, principles, 0, Optional.empty());
            }
            Completion answer = new Completion(latest.text(), latest.finishReason(), usage);
            return new GuardedAnswer(answer, original, judgement, principles, revisions, Optional.ofNullable(revisionJudgement));
        }
    }

    /**
     * How a guard is set up. Defaults: at most {@value #DEFAULT_MAX_PRINCIPLES} principles per revision, chosen by
     * relevance; one revision round, judged ({@code verify_revisions}' default in a run); the pipeline's
     * {@code paper} placement of the principles; a judge that sees only the answer, with {@value #DEFAULT_JUDGE_TOKENS}
     * tokens for its verdict (both the pipeline's defaults).
     */
    public static final class Builder {
        public static final int DEFAULT_MAX_PRINCIPLES = 5;
        public static final int DEFAULT_JUDGE_TOKENS = 64;

        private final ChatModel model;
        private ChatModel oracle;
        private List<Principle> library;
        private int maxPrinciples = DEFAULT_MAX_PRINCIPLES;
        private int maxRevisions = 1;
        private boolean verifyRevisions = true;
        private ReflectionPrompt.Mode mode = ReflectionPrompt.Mode.PAPER;
        private boolean showPrompt;
        private int judgeMaxTokens = DEFAULT_JUDGE_TOKENS;

        private Builder(ChatModel model) {
            this.model = Objects.requireNonNull(model, "model");
        }

        /** The oracle that judges answers; a stronger model than the guarded one, as in a run. */
        public Builder judge(ChatModel oracle) {
            this.oracle = Objects.requireNonNull(oracle, "oracle");
            return this;
        }

        public Builder library(ConstitutionLibrary library) {
            return principles(library.principles());
        }

        /** A run directory or an exported {@code constitutions.md}: see {@link ConstitutionSource#load}. */
        public Builder library(Path runOrFile) {
            return principles(ConstitutionSource.load(runOrFile));
        }

        public Builder principles(List<Principle> principles) {
            this.library = List.copyOf(principles);
            return this;
        }

        /** The most principles one revision is given, the most relevant first chosen; 0 gives the whole library. */
        public Builder maxPrinciples(int max) {
            if (max < 0) throw new IllegalArgumentException("maxPrinciples must not be negative: " + max);
            this.maxPrinciples = max;
            return this;
        }

        /**
         * Revision rounds per answer: 0 only judges (the decision is still reported), 1 revises once. A further
         * round revises again what the oracle still judges negative, reseeded, so it only helps with sampled
         * decoding (temperature above 0); it needs verified revisions.
         */
        public Builder maxRevisions(int max) {
            if (max < 0) throw new IllegalArgumentException("maxRevisions must not be negative: " + max);
            this.maxRevisions = max;
            return this;
        }

        /** Whether the oracle judges revisions too (the decision then says whether a revision fixed the answer). */
        public Builder verifyRevisions(boolean verify) {
            this.verifyRevisions = verify;
            return this;
        }

        public Builder mode(ReflectionPrompt.Mode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Show the oracle the prompt as well as the answer (the paper's text; its code showed only the answer). */
        public Builder showPrompt(boolean show) {
            this.showPrompt = show;
            return this;
        }

        public Builder judgeMaxTokens(int tokens) {
            if (tokens <= 0) throw new IllegalArgumentException("judgeMaxTokens must be positive: " + tokens);
            this.judgeMaxTokens = tokens;
            return this;
        }

        public ConstitutionalGuard build() {
            if (oracle == null) throw new IllegalStateException("a guard needs a judge: call judge(oracle)");
            if (library == null || library.isEmpty()) {
                throw new IllegalStateException("a guard needs a non-empty constitution library: call library(...)");
            }
            if (maxRevisions > 1 && !verifyRevisions) {
                throw new IllegalStateException("more than one revision round needs verifyRevisions(true): "
                        + "only a revision judged negative is revised again");
            }
            return new ConstitutionalGuard(this);
        }
    }
}
