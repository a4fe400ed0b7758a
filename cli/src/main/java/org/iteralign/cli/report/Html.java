package org.iteralign.cli.report;

import java.util.Locale;

/** Escaping and number formatting for the report: every model and dataset text passes through {@link #text}. */
final class Html {
    private Html() {}

    /** Escapes text for element content and quoted attribute values alike. */
    static String text(String s) {
        if (s == null) return "";
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** A number for a data attribute: full precision, so a test can compare it with the source file. */
    static String raw(double value) {
        return Double.toString(value);
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }

    static String decimal(double value) {
        return String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%.1f" : "%.3f", value);
    }

    /** An axis label: as few decimals as the tick needs (0.25, 1.5, 180). */
    static String tick(double value) {
        String s = String.format(Locale.ROOT, "%.4f", value);
        return s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    static String percentTick(double fraction) {
        return tick(100 * fraction) + "%";
    }

    static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }
}
