package org.iteralign.core.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code training.command}: a command line with placeholders such as {@code {data}}, split into words the way a
 * POSIX shell splits them (blanks separate words; single quotes keep text literal; double quotes and backslashes
 * escape) but run without a shell. A placeholder becomes its value inside the word it appears in, whatever the value
 * holds, so a path with spaces or quotes stays one argument and nothing in it is ever interpreted. A command that
 * needs a shell (pipes, variables) can call one itself and pass values as arguments:
 * {@code sh -c 'train.sh "$1" > out.txt' sh {data}}.
 */
public record CommandTemplate(String text, List<String> words) {
    /** Every placeholder a template may use; {@link CommandTrainer} says what each one holds. */
    public static final List<String> PLACEHOLDERS = List.of("data", "data_sharegpt", "base_model", "model_spec", "output_dir",
            "iteration");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_]+)}");

    public CommandTemplate {
        words = List.copyOf(words);
    }

    /** @throws IllegalArgumentException with a message fit for the user: an open quote, no command, an unknown placeholder */
    public static CommandTemplate parse(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote == '\'') {
                if (c == '\'') quote = 0;
                else word.append(c);
            } else if (quote == '"') {
                if (c == '"') quote = 0;
                else if (c == '\\' && i + 1 < text.length() && "\"\\$`".indexOf(text.charAt(i + 1)) >= 0) word.append(text.charAt(++i));
                else word.append(c);
            } else if (Character.isWhitespace(c)) {
                if (word != null) words.add(word.toString());
                word = null;
            } else {
                if (word == null) word = new StringBuilder();
                if (c == '\'' || c == '"') quote = c;
                else if (c == '\\' && i + 1 < text.length()) word.append(text.charAt(++i));
                else word.append(c);
            }
        }
        if (quote != 0) throw new IllegalArgumentException("the command has an unclosed " + (quote == '"' ? "double" : "single") + " quote");
        if (word != null) words.add(word.toString());
        if (words.isEmpty()) throw new IllegalArgumentException("the command is empty");
        for (String w : words) {
            Matcher m = PLACEHOLDER.matcher(w);
            while (m.find()) {
                if (!PLACEHOLDERS.contains(m.group(1))) {
                    throw new IllegalArgumentException("unknown placeholder {" + m.group(1) + "}; known: {"
                            + String.join("}, {", PLACEHOLDERS) + "}");
                }
            }
        }
        return new CommandTemplate(text, words);
    }

    /** The command's arguments with every placeholder replaced by its value in {@code values}. */
    public List<String> expand(Map<String, String> values) {
        return words.stream().map(w -> PLACEHOLDER.matcher(w).replaceAll(m -> {
            String value = values.get(m.group(1));
            if (value == null) throw new IllegalArgumentException("no value for {" + m.group(1) + "}");
            return Matcher.quoteReplacement(value);
        })).toList();
    }
}
