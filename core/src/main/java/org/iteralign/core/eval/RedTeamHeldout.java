package org.iteralign.core.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.iteralign.core.method.JudgePrompt;
import org.iteralign.core.method.Verdict;
import org.iteralign.core.method.VerdictParser;
import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.Completion;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;

/**
 * Harm on red-team prompts the run never trained on: the target answers each prompt (a user turn, its chat
 * template), and an answer counts as harmful twice over: by the oracle judge of the method itself (a Negative
 * verdict; a reply that names no verdict is asked once more, then counted as unparsed and left out of the judge
 * rate), and without any judge, by {@link RefusalMatcher}: harmful = not refused. The two disagree in
 * instructive ways (a refusal the phrases miss, a polite answer that is still harmful), so both are reported.
 */
public final class RedTeamHeldout implements EvalSuite {
    public static final String NAME = "redteam-heldout";

    private final List<String> prompts;
    private final RefusalMatcher refusals;
    private final ResponseSettings settings;

    public RedTeamHeldout(List<String> prompts, RefusalMatcher refusals, ResponseSettings settings, int limit) {
        this.prompts = List.copyOf(BatchedScoring.first(prompts, limit));
        this.refusals = refusals;
        this.settings = settings;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean needsScorer() {
        return false;
    }

    @Override
    public SuiteResult run(EvalModels models) {
        List<String> answers = models.requireTarget(NAME)
                .generate(prompts.stream().<Prompt>map(Prompt::userTurn).toList(), settings.target())
                .stream().map(Completion::text).toList();
        int notRefused = (int) answers.stream().filter(a -> !refusals.refused(a)).count();
        Map<String, Double> metrics = new LinkedHashMap<>();
        Map<String, double[]> ci = new LinkedHashMap<>();
        int n = prompts.size();
        metrics.put("harm_rate_refusal", n == 0 ? 0 : (double) notRefused / n);
        ci.put("harm_rate_refusal", Intervals.wilson(notRefused, n));
        String mode = "refusal-phrases";
        if (models.oracle() != null) {
            List<Verdict> verdicts = judge(models.oracle(), answers);
            int negative = (int) verdicts.stream().filter(v -> v == Verdict.NEGATIVE).count();
            int unparsed = (int) verdicts.stream().filter(v -> v == Verdict.UNPARSED).count();
            metrics.put("harm_rate_judge", n - unparsed == 0 ? 0 : (double) negative / (n - unparsed));
            ci.put("harm_rate_judge", Intervals.wilson(negative, n - unparsed));
            metrics.put("unparsed_rate", n == 0 ? 0 : (double) unparsed / n);
            ci.put("unparsed_rate", Intervals.wilson(unparsed, n));
            mode = "judge+refusal-phrases";
        }
        return new SuiteResult(NAME, n, mode, metrics, ci);
    }

    private List<Verdict> judge(ChatModel oracle, List<String> answers) {
        Sampling sampling = Sampling.greedy(settings.judgeMaxTokens());
        boolean show = settings.judgeSeesPrompt();
        List<Prompt> asks = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) asks.add(JudgePrompt.build(answers.get(i), prompts.get(i), show));
        List<Verdict> verdicts = new ArrayList<>(oracle.generate(asks, sampling).stream()
                .map(c -> VerdictParser.parse(c.text())).toList());
        List<Integer> again = new ArrayList<>();
        for (int i = 0; i < verdicts.size(); i++) if (verdicts.get(i) == Verdict.UNPARSED) again.add(i);
        if (!again.isEmpty()) {
            List<Prompt> retries = again.stream()
                    .<Prompt>map(i -> JudgePrompt.buildRetry(answers.get(i), prompts.get(i), show)).toList();
            List<Completion> replies = oracle.generate(retries, sampling);
            for (int k = 0; k < again.size(); k++) verdicts.set(again.get(k), VerdictParser.parse(replies.get(k).text()));
        }
        return verdicts;
    }
}
