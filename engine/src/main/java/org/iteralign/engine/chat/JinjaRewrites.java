package org.iteralign.engine.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites two Jinja forms that jinjava's parser gets wrong into forms it reads the way Jinja does,
 * before a template is rendered. Both occur in Qwen3's template:
 * <ul>
 *   <li>{@code xs[::-1]} (a reversed copy), a slice step jinjava cannot parse, becomes
 *       {@code (xs|reverse)};</li>
 *   <li>{@code namespace(n=xs|length - 1)}, whose keyword value jinjava cuts at the filter, gets its
 *       values parenthesised: {@code namespace(n=(xs|length - 1))}.</li>
 * </ul>
 * Only code is rewritten, never string literals or the template's text, and only brackets are added.
 */
final class JinjaRewrites {
    private static final Pattern REVERSE_SLICE = Pattern.compile("\\[\\s*::\\s*-1\\s*]");
    private static final Pattern NAMESPACE_CALL = Pattern.compile("\\bnamespace\\s*\\(");
    private static final Pattern KEYWORD_ARGUMENT = Pattern.compile("(?s)(\\s*[A-Za-z_]\\w*\\s*)=(?!=)(.*)");

    private JinjaRewrites() {
    }

    static String apply(String source) {
        return parenthesizeNamespaceArguments(reverseSlices(source));
    }

    private static String reverseSlices(String source) {
        StringBuilder out = new StringBuilder(source);
        Matcher m = REVERSE_SLICE.matcher(source);
        List<int[]> slices = new ArrayList<>();
        while (m.find()) {
            if (inCode(source, m.start())) {
                slices.add(new int[] {m.start(), m.end()});
            }
        }
        // Right to left, so earlier offsets stay valid.
        for (int i = slices.size() - 1; i >= 0; i--) {
            int start = slices.get(i)[0];
            int end = slices.get(i)[1];
            int operand = operandStart(source, start);
            out.replace(start, end, "|reverse)");
            out.insert(operand, '(');
        }
        return out.toString();
    }

    /** Where the primary expression that ends just before {@code end} begins: a name, dots, calls, indexes. */
    private static int operandStart(String s, int end) {
        int i = end;
        while (i > 0) {
            char c = s.charAt(i - 1);
            if (Character.isLetterOrDigit(c) || c == '_' || c == '.') {
                i--;
            } else if (c == ']' || c == ')') {
                i = matchingOpen(s, i - 1);
            } else {
                break;
            }
        }
        return i;
    }

    private static int matchingOpen(String s, int close) {
        int depth = 0;
        for (int i = close; i >= 0; i--) {
            char c = s.charAt(i);
            if (c == ']' || c == ')') {
                depth++;
            } else if ((c == '[' || c == '(') && --depth == 0) {
                return i;
            }
        }
        return 0;
    }

    private static String parenthesizeNamespaceArguments(String source) {
        StringBuilder out = new StringBuilder();
        Matcher m = NAMESPACE_CALL.matcher(source);
        int copied = 0;
        while (m.find()) {
            if (m.start() < copied || !inCode(source, m.start())) {
                continue;
            }
            int close = matchingClose(source, m.end() - 1);
            if (close < 0) {
                break;
            }
            out.append(source, copied, m.end());
            List<String> arguments = topLevelArguments(source.substring(m.end(), close));
            for (int i = 0; i < arguments.size(); i++) {
                Matcher keyword = KEYWORD_ARGUMENT.matcher(arguments.get(i));
                out.append(i > 0 ? "," : "")
                        .append(keyword.matches() ? keyword.group(1) + "=(" + keyword.group(2) + ")" : arguments.get(i));
            }
            copied = close;
        }
        return out.append(source, copied, source.length()).toString();
    }

    /** The index of the bracket closing the one at {@code open}, skipping string literals; -1 if none. */
    private static int matchingClose(String s, int open) {
        int depth = 0;
        char quote = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if ((c == ')' || c == ']' || c == '}') && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private static List<String> topLevelArguments(String text) {
        List<String> arguments = new ArrayList<>();
        int depth = 0;
        char quote = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                arguments.add(text.substring(start, i));
                start = i + 1;
            }
        }
        if (start < text.length() || !arguments.isEmpty()) {
            arguments.add(text.substring(start));
        }
        return arguments;
    }

    /**
     * Whether {@code at} lies in the code of a Jinja tag or expression, outside its string literals.
     * Template text and comments outside "{{ }}" and "{% %}" are not code and are never rewritten.
     */
    private static boolean inCode(String s, int at) {
        char quote = 0;
        boolean code = false;
        for (int i = 0; i < at; i++) {
            char c = s.charAt(i);
            char next = i + 1 < s.length() ? s.charAt(i + 1) : 0;
            if (!code) {
                if (c == '{' && (next == '{' || next == '%')) {
                    code = true;
                    i++;
                } else if (c == '{' && next == '#') {
                    int close = s.indexOf("#}", i + 2);
                    i = close < 0 ? at : close + 1;
                }
            } else if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if ((c == '}' || c == '%') && next == '}') {
                code = false;
                i++;
            }
        }
        return code && quote == 0;
    }
}
