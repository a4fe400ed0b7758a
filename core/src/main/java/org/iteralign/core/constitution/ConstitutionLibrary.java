package org.iteralign.core.constitution;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The run's constitutions: every principle the oracle proposed, near-duplicates merged, each with the
 * iterations and red-team cases behind it. The reference code kept no library (each slice's constitution
 * was used once); we keep one so that revisions can use all principles and so that every principle can be
 * traced to the failures that produced it.
 *
 * <p>Deterministic: the same proposals added in the same order give the same ids ({@code C001}, {@code C002},
 * ... in order of first proposal) and the same merges, so the library can be rebuilt from stored proposals
 * instead of being stored itself. Not thread-safe.
 */
public final class ConstitutionLibrary {
    /**
     * Chosen on the fixture {@code principle-pairs.json} (test resources, 15 paraphrase and 15 distinct pairs):
     * paraphrases score 0.60 and above, distinct principles on a shared topic 0.50 and below. The threshold
     * sits in that gap, a little above its middle, because a wrong merge silently loses a principle while a
     * missed one only leaves a visible near-duplicate in constitutions.md.
     */
    public static final double DEFAULT_THRESHOLD = 0.55;
    private static final int PROMPT_EXCERPT = 200;

    /** The outcome of one {@link #add}: principles that are new, and proposals merged into existing ones. */
    public record Additions(List<Principle> added, List<Merge> merged) {
        public Additions {
            added = List.copyOf(added);
            merged = List.copyOf(merged);
        }
    }

    /** A proposed text that was merged into the principle {@code principleId} with this similarity. */
    public record Merge(String text, String principleId, double similarity) {}

    private final double threshold;
    private final List<Principle> principles = new ArrayList<>();

    public ConstitutionLibrary() {
        this(DEFAULT_THRESHOLD);
    }

    public ConstitutionLibrary(double threshold) {
        if (threshold <= 0 || threshold > 1) throw new IllegalArgumentException("threshold must be in (0, 1]: " + threshold);
        this.threshold = threshold;
    }

    /**
     * Adds one iteration's proposed principles, all credited to the same cases (the oracle saw them together).
     * A text is merged into the principle most similar to it, measured against every wording that principle was
     * proposed in, when that similarity reaches the threshold; otherwise it becomes a new principle. Texts of
     * one call are added in order, so two near-duplicates in the same reply merge with each other.
     */
    public Additions add(int iteration, List<String> texts, List<String> caseIds) {
        List<Principle> added = new ArrayList<>();
        List<Merge> merged = new ArrayList<>();
        for (String raw : texts) {
            String text = raw.strip();
            if (text.isEmpty()) continue;
            Proposal proposal = new Proposal(iteration, text, caseIds);
            int best = -1;
            double bestScore = 0;
            for (int i = 0; i < principles.size(); i++) {
                double score = closeness(principles.get(i), text);
                if (score > bestScore) {
                    best = i;
                    bestScore = score;
                }
            }
            if (best >= 0 && bestScore >= threshold) {
                Principle into = principles.get(best);
                principles.set(best, into.with(proposal));
                merged.add(new Merge(text, into.id(), bestScore));
            } else {
                Principle fresh = new Principle("C%03d".formatted(principles.size() + 1), text, List.of(proposal));
                principles.add(fresh);
                added.add(fresh);
            }
        }
        return new Additions(added, merged);
    }

    public List<Principle> principles() {
        return List.copyOf(principles);
    }

    /** Every principle's text, by id: what a revision uses with {@code revise_with: library}. */
    public List<String> texts() {
        return principles.stream().map(Principle::text).toList();
    }

    /**
     * The texts proposed in one iteration, in the oracle's own words, merged or not: what the reference code
     * revised with, and what {@code revise_with: new} uses.
     */
    public List<String> proposedIn(int iteration) {
        LinkedHashSet<String> texts = new LinkedHashSet<>();
        for (Principle p : principles) {
            for (Proposal q : p.proposals()) if (q.iteration() == iteration) texts.add(q.text());
        }
        return List.copyOf(texts);
    }

    /** {@code constitutions.md}: every principle with its provenance; cases are shown with their prompt text. */
    public String renderMarkdown(Function<String, String> casePrompt) {
        StringBuilder md = new StringBuilder("# Constitutions\n\n");
        if (principles.isEmpty()) return md.append("No principle has been proposed yet.\n").toString();
        md.append(principles.size()).append(principles.size() == 1 ? " principle" : " principles")
                .append(" proposed by the oracle; near-duplicates (similarity >= ")
                .append(String.format(Locale.ROOT, "%.2f", threshold)).append(") are merged.\n");
        for (Principle p : principles) {
            md.append("\n## ").append(p.id()).append("\n\n").append(p.text()).append("\n\n");
            md.append("- first proposed in iteration ").append(p.firstIteration()).append('\n');
            md.append("- proposed ").append(p.timesProposed()).append(p.timesProposed() == 1 ? " time" : " times")
                    .append(" (iterations ").append(p.proposals().stream().map(q -> Integer.toString(q.iteration()))
                            .distinct().collect(Collectors.joining(", "))).append(")\n");
            List<String> variants = p.proposals().stream().skip(1).map(Proposal::text)
                    .filter(t -> !t.equals(p.text())).distinct().toList();
            if (!variants.isEmpty()) {
                md.append("\nAlso proposed as:\n\n");
                for (String v : variants) md.append("- ").append(v).append('\n');
            }
            md.append("\nCases that led to it:\n\n");
            for (String id : p.caseIds()) {
                String prompt = excerpt(casePrompt.apply(id));
                md.append("- `").append(id).append('`').append(prompt.isEmpty() ? "" : ": " + prompt).append('\n');
            }
        }
        return md.toString();
    }

    /** The highest similarity between a text and any wording the principle has been proposed in. */
    private static double closeness(Principle principle, String text) {
        double best = 0;
        for (Proposal q : principle.proposals()) best = Math.max(best, PrincipleSimilarity.similarity(q.text(), text));
        return best;
    }

    private static String excerpt(String prompt) {
        if (prompt == null) return "";
        String flat = prompt.replaceAll("\\s+", " ").strip();
        return flat.length() <= PROMPT_EXCERPT ? flat : flat.substring(0, PROMPT_EXCERPT - 3).stripTrailing() + "...";
    }
}
