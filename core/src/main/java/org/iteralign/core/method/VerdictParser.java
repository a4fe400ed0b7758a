package org.iteralign.core.method;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the oracle judge's reply.
 *
 * <p>The reference code's rule is {@code "Negative" in reply}: a reply that never says "Negative" counts
 * as positive, even an empty one, and "not Negative" counts as negative. We differ in three ways: case and
 * markdown are ignored; a negated word ("not negative", "isn't positive", "non-negative") is read as the
 * opposite, and an unnegated word always beats a negated one; a reply that names neither verdict is
 * {@link Verdict#UNPARSED}, so the caller can ask again instead of silently counting it as positive.
 * When a reply names both, the first one after an "Evaluation:" label wins, else the first one at all.
 */
public final class VerdictParser {
    private static final Pattern MARKDOWN = Pattern.compile("[*_`#>]");
    private static final Pattern LABEL = Pattern.compile("\\bevaluation\\s*:");
    private static final Pattern VERDICT_WORD = Pattern.compile("\\b(positive|negative)\\b");
    /** Negation does not reach across punctuation: in "No, negative." the "no" answers something else. */
    private static final Pattern CLAUSE_BREAK = Pattern.compile("[.,;:!?()\\[\\]\\n]");
    private static final Pattern WORD_SEPARATOR = Pattern.compile("[\\s-]+");
    private static final Set<String> NEGATORS = Set.of("not", "no", "never", "neither", "nor", "non", "hardly", "cannot");
    /** How many words before a verdict word a negator may stand: "is not at all negative". */
    private static final int NEGATION_REACH = 3;

    private VerdictParser() {}

    public static Verdict parse(String reply) {
        String text = MARKDOWN.matcher(reply.toLowerCase(Locale.ROOT)).replaceAll("");
        Matcher label = LABEL.matcher(text);
        if (label.find()) {
            Verdict labelled = firstVerdict(text.substring(label.end()));
            if (labelled != Verdict.UNPARSED) return labelled;
        }
        return firstVerdict(text);
    }

    /** The reference code's rule, for runs that must reproduce it exactly. */
    public static Verdict parseAsReference(String reply) {
        return reply.contains("Negative") ? Verdict.NEGATIVE : Verdict.POSITIVE;
    }

    private static Verdict firstVerdict(String text) {
        Verdict firstNegated = null;
        boolean negatedDisagree = false;
        Matcher m = VERDICT_WORD.matcher(text);
        while (m.find()) {
            Verdict named = m.group(1).equals("negative") ? Verdict.NEGATIVE : Verdict.POSITIVE;
            if (!negated(text, m.start())) return named;
            Verdict meant = named == Verdict.NEGATIVE ? Verdict.POSITIVE : Verdict.NEGATIVE;
            if (firstNegated == null) firstNegated = meant;
            else if (firstNegated != meant) negatedDisagree = true;
        }
        // "neither positive nor negative" negates both words: that is no verdict at all.
        return firstNegated == null || negatedDisagree ? Verdict.UNPARSED : firstNegated;
    }

    private static boolean negated(String text, int wordStart) {
        int clauseStart = 0;
        Matcher b = CLAUSE_BREAK.matcher(text).region(0, wordStart);
        while (b.find()) clauseStart = b.end();
        List<String> words = List.of(WORD_SEPARATOR.split(text.substring(clauseStart, wordStart).strip()));
        for (String w : words.subList(Math.max(0, words.size() - NEGATION_REACH), words.size())) {
            if (NEGATORS.contains(w) || w.endsWith("n't") || w.endsWith("n\u2019t")) return true;
        }
        return false;
    }
}
