package org.iteralign.core.constitution;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How alike two principles are, from 0 (nothing shared) to 1 (the same words): a weighted Jaccard index
 * over their normalised word sets.
 *
 * <p>Principles proposed by an oracle share a lot of boilerplate ("the assistant should not provide ...")
 * and differ in one or two topic words ("weapons" / "drugs"), so plain word overlap merges distinct
 * principles. Three steps keep the topic words in charge: stop words are dropped; words that every
 * principle uses ({@link #GENERIC}) weigh {@value #GENERIC_WEIGHT} of a topic word; a few synonyms an
 * oracle alternates between ("never" / "avoid" / "not", "provide" / "give") are folded together, after a
 * light suffix-stripping stemmer. Word order and negation scope are ignored: principles are short, and two
 * principles with the same words in a different order almost always say the same thing.
 */
public final class PrincipleSimilarity {
    static final double GENERIC_WEIGHT = 0.3;

    private static final Pattern NON_WORD = Pattern.compile("[^a-z0-9]+");
    private static final Set<String> STOP_WORDS = Set.of(
            "a", "an", "the", "and", "or", "but", "if", "then", "so", "as", "such", "of", "to", "in", "on", "at", "by",
            "for", "with", "from", "into", "about", "that", "this", "these", "those", "it", "its", "is", "are", "be",
            "been", "being", "was", "were", "do", "does", "can", "could", "would", "will", "may", "might", "any", "all",
            "their", "them", "they", "your", "you", "yours", "his", "her", "he", "she", "which", "who", "what", "how",
            "when", "why", "also", "instead", "including", "example", "e", "g", "etc", "s", "t", "there", "very",
            "own", "whether", "other", "otherwise", "than");
    private static final Set<String> GENERIC = stems(Set.of(
            "assistant", "ai", "model", "response", "respond", "answer", "reply", "user", "should", "must", "always",
            "not", "help", "give", "information", "request", "ensure", "please", "choose", "content", "people"));
    private static final Map<String, String> SYNONYMS = synonyms(List.of(
            List.of("not", "never", "avoid", "refrain", "refuse", "decline"),
            List.of("give", "provide", "offer", "share", "supply"),
            List.of("help", "assist", "aid", "facilitate"),
            List.of("harm", "harmful", "hurt", "damage", "injure"),
            List.of("dangerous", "danger", "unsafe", "risky"),
            List.of("people", "others", "person", "individuals", "someone", "anyone"),
            List.of("instructions", "instruction", "guidance", "directions", "steps"),
            List.of("make", "making", "build", "create", "produce", "manufacture"),
            List.of("illegal", "unlawful", "criminal"),
            List.of("doctor", "physician"),
            List.of("unsure", "uncertain", "uncertainty"),
            List.of("reason", "explain")));

    private PrincipleSimilarity() {}

    public static double similarity(String a, String b) {
        Set<String> x = words(a);
        Set<String> y = words(b);
        double shared = 0;
        double union = 0;
        for (String w : x) {
            if (y.contains(w)) shared += weight(w);
            union += weight(w);
        }
        for (String w : y) if (!x.contains(w)) union += weight(w);
        return union == 0 ? (a.strip().equalsIgnoreCase(b.strip()) ? 1 : 0) : shared / union;
    }

    /** The normalised words of a principle: lower case, no stop words, stemmed, synonyms folded. */
    static Set<String> words(String text) {
        Set<String> words = new HashSet<>();
        String lower = text.toLowerCase(Locale.ROOT).replace("n't", " not").replace("n\u2019t", " not");
        for (String w : NON_WORD.split(lower)) {
            if (w.isEmpty() || STOP_WORDS.contains(w)) continue;
            String stem = stem(w);
            words.add(SYNONYMS.getOrDefault(stem, stem));
        }
        return words;
    }

    private static double weight(String word) {
        return GENERIC.contains(word) ? GENERIC_WEIGHT : 1.0;
    }

    /** Strips the English endings that separate one word's forms: weapons, making, refused, respectfully. */
    static String stem(String w) {
        String s = w;
        if (s.length() > 4 && s.endsWith("ies")) s = s.substring(0, s.length() - 3) + "y";
        else if (s.length() > 3 && s.endsWith("s") && !s.endsWith("ss") && !s.endsWith("us") && !s.endsWith("is")) s = s.substring(0, s.length() - 1);
        for (String suffix : List.of("fully", "ly", "ing", "ed", "ful")) {
            if (s.length() > suffix.length() + 3 && s.endsWith(suffix)) {
                s = s.substring(0, s.length() - suffix.length());
                break;
            }
        }
        if (s.length() > 4 && s.endsWith("e")) s = s.substring(0, s.length() - 1);
        return s;
    }

    private static Set<String> stems(Set<String> words) {
        Set<String> out = new HashSet<>();
        for (String w : words) out.add(stem(w));
        return Set.copyOf(out);
    }

    /** Maps the stem of every word of a group to the stem of the group's first word. */
    private static Map<String, String> synonyms(List<List<String>> groups) {
        Map<String, String> map = new HashMap<>();
        for (List<String> group : groups) {
            String canonical = stem(group.getFirst());
            for (String w : group) map.put(stem(w), canonical);
        }
        return Map.copyOf(map);
    }
}
