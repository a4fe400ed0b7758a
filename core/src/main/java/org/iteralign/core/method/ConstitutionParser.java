package org.iteralign.core.method;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the principles out of the oracle's proposal reply.
 *
 * <p>The reference code kept the reply's last {@code "\n\n"} paragraph as one constitution. Oracles often
 * answer with a list, and a library that merges and counts principles needs them one by one, so:
 * <ol>
 *   <li>markdown emphasis is removed, and the "Evaluation: ..." line dropped;</li>
 *   <li>text before a "Constitution:" / "Constitutions:" / "Principles:" / "Rules:" label is dropped;</li>
 *   <li>if the rest holds a list ("1.", "1)", "(1)", "- ", "* ", "Principle 2:"), each item is a principle,
 *       with its wrapped lines; sub-items belong to their item unless it is a short heading ending in ":"
 *       ("Harmlessness:"), which is dropped while its sub-items become principles; text around the list is
 *       dropped;</li>
 *   <li>otherwise the labelled paragraph, or without a label the last paragraph (the code's rule), is one
 *       principle, however many sentences it has.</li>
 * </ol>
 * Fragments shorter than {@value #MIN_LENGTH} characters ("Harmlessness", "1.") are not principles.
 */
public final class ConstitutionParser {
    static final int MIN_LENGTH = 15;
    private static final int HEADING_WORDS = 5;

    private static final Pattern BOLD = Pattern.compile("\\*\\*|__|`");
    private static final Pattern EMPHASIS = Pattern.compile("(?<![\\w*])([*_])(?=\\S)([^*_\\n]+?)(?<=\\S)\\1(?![\\w*])");
    private static final Pattern HEADING = Pattern.compile("(?m)^[ \\t]*#+[ \\t]*");
    private static final Pattern EVALUATION = Pattern.compile("(?i)^\\s*evaluation\\s*:.*");
    private static final String LABEL_WORD = "(?:constitutions?|principles?|rules?)";
    private static final Pattern LABEL = Pattern.compile(
            "(?i)^\\s*(?:evaluation\\s*:\\s*\\w+\\s*[.!]?\\s*)?(?:(?:proposed|suggested|new|specific)\\s+)?" + LABEL_WORD + "\\s*:\\s*(.*)$");
    private static final Pattern ITEM = Pattern.compile(
            "(?i)^(\\s*)(?:\\d{1,2}\\s*[.)]|\\(\\d{1,2}\\)|[-*\u2022]|" + LABEL_WORD + "\\s*#?\\d{1,2}\\s*[:.)-]?)\\s+(.*)$");
    private static final Pattern QUOTES = Pattern.compile("^[\"\u201c\u201d']+|[\"\u201c\u201d']+$");

    private ConstitutionParser() {}

    public static List<String> parse(String reply) {
        Region region = region(List.of(plain(reply).split("\n", -1)));
        List<String> items = listItems(region.lines());
        List<String> raw = items.isEmpty() ? List.of(paragraph(region)) : items;
        LinkedHashSet<String> principles = new LinkedHashSet<>();
        for (String r : raw) {
            String p = QUOTES.matcher(r.replaceAll("\\s+", " ").strip()).replaceAll("").strip();
            if (p.length() >= MIN_LENGTH && !p.endsWith(":")) principles.add(p);
        }
        return List.copyOf(principles);
    }

    private static String plain(String reply) {
        String text = reply.replace("\r\n", "\n").replace('\r', '\n');
        text = HEADING.matcher(BOLD.matcher(text).replaceAll("")).replaceAll("");
        return EMPHASIS.matcher(text).replaceAll("$2");
    }

    /** The part of the reply that holds principles; {@code labelled} when a label opened it. */
    private record Region(List<String> lines, boolean labelled) {}

    /**
     * The lines after the first label, the label's own inline text first. Two or more labels are a list
     * written as "Constitution: ..." paragraphs, so each becomes an item. Without a label, every line but
     * the evaluation.
     */
    private static Region region(List<String> lines) {
        List<Matcher> labels = new ArrayList<>();
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = LABEL.matcher(lines.get(i));
            if (m.matches()) {
                labels.add(m);
                at.add(i);
            }
        }
        if (labels.isEmpty()) {
            return new Region(lines.stream().filter(l -> !EVALUATION.matcher(l).matches()).toList(), false);
        }
        List<String> region = new ArrayList<>();
        for (int i = at.getFirst(); i < lines.size(); i++) {
            int label = at.indexOf(i);
            if (label < 0) region.add(lines.get(i));
            else region.add((labels.size() >= 2 ? "- " : "") + labels.get(label).group(1));
        }
        return new Region(region, true);
    }

    private static List<String> listItems(List<String> lines) {
        List<StringBuilder> items = new ArrayList<>();
        int topIndent = -1;
        StringBuilder parent = null;
        StringBuilder current = null;
        for (String line : lines) {
            Matcher m = ITEM.matcher(line);
            if (m.matches()) {
                int indent = m.group(1).replace("\t", "    ").length();
                if (topIndent < 0) topIndent = indent;
                boolean subItem = indent > topIndent && parent != null;
                if (subItem && !isHeading(parent)) {
                    current = parent.append(' ').append(m.group(2));
                } else {
                    current = new StringBuilder(m.group(2));
                    items.add(current);
                    if (!subItem) parent = current;
                }
            } else if (line.isBlank()) {
                current = null;
            } else if (current != null) {
                current.append(' ').append(line.strip());
            }
        }
        return items.stream().map(StringBuilder::toString).toList();
    }

    /** A title such as "Harmlessness:" whose sub-items are the principles; longer text ending in ":" is not. */
    private static boolean isHeading(StringBuilder item) {
        String text = item.toString().strip();
        return text.endsWith(":") && text.split("\\s+").length <= HEADING_WORDS;
    }

    /** With a label, the paragraph it opens (or the next, if the label stands alone); else the last one. */
    private static String paragraph(Region region) {
        List<String> paragraphs = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : region.lines()) {
            if (line.isBlank()) {
                if (!current.isEmpty()) paragraphs.add(current.toString());
                current = new StringBuilder();
            } else {
                current.append(current.isEmpty() ? "" : " ").append(line.strip());
            }
        }
        if (!current.isEmpty()) paragraphs.add(current.toString());
        if (paragraphs.isEmpty()) return "";
        return region.labelled() ? paragraphs.getFirst() : paragraphs.getLast();
    }
}
