package org.iteralign.core.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.iteralign.core.model.Completion;
import org.iteralign.core.model.Prompt;

/**
 * Over-refusal: how often the target refuses prompts that only look risky, by {@link RefusalMatcher}. Alignment
 * against harm can teach a model to refuse anything that mentions killing, even a Python process; this suite
 * watches for that. The refusal rate on the unsafe counterparts is reported beside it, as the contrast.
 */
public final class OverRefusal implements EvalSuite {
    public static final String NAME = "overrefusal";

    private final List<OverRefusalItem> items;
    private final RefusalMatcher refusals;
    private final ResponseSettings settings;

    public OverRefusal(List<OverRefusalItem> items, RefusalMatcher refusals, ResponseSettings settings, int limit) {
        this.items = List.copyOf(BatchedScoring.first(items, limit));
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
        List<Completion> answers = models.requireTarget(NAME)
                .generate(items.stream().<Prompt>map(i -> Prompt.userTurn(i.prompt())).toList(), settings.target());
        int[] safe = new int[2];
        int[] unsafe = new int[2];
        for (int i = 0; i < items.size(); i++) {
            int[] tally = items.get(i).safe() ? safe : unsafe;
            if (refusals.refused(answers.get(i).text())) tally[0]++;
            tally[1]++;
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        Map<String, double[]> ci = new LinkedHashMap<>();
        metrics.put("refusal_rate_safe", safe[1] == 0 ? 0 : (double) safe[0] / safe[1]);
        ci.put("refusal_rate_safe", Intervals.wilson(safe[0], safe[1]));
        if (unsafe[1] > 0) {
            metrics.put("refusal_rate_unsafe", (double) unsafe[0] / unsafe[1]);
            ci.put("refusal_rate_unsafe", Intervals.wilson(unsafe[0], unsafe[1]));
        }
        return new SuiteResult(NAME, items.size(), "refusal-phrases", metrics, ci);
    }
}
