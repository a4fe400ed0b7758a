package org.iteralign.engine.chat;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * The Python str methods that chat templates call on message text ({@code content.startswith('<think>')},
 * {@code content.strip('\n')}, {@code text.split('</think>')}), which jinjava would otherwise look up
 * as Java methods and not find, or find with other meanings (Java's split takes a regex). Only method
 * calls on strings are handled; everything else falls through to jinjava's own resolver.
 */
final class PythonStringMethods extends ELResolver {
    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String s) || !(method instanceof String name)) {
            return null;
        }
        Object[] args = params == null ? new Object[0] : params;
        Object result = switch (name) {
            case "startswith" -> args.length == 1 ? anyMatch(args[0], s::startsWith) : null;
            case "endswith" -> args.length == 1 ? anyMatch(args[0], s::endsWith) : null;
            case "strip" -> args.length <= 1 ? rstrip(lstrip(s, chars(args)), chars(args)) : null;
            case "lstrip" -> args.length <= 1 ? lstrip(s, chars(args)) : null;
            case "rstrip" -> args.length <= 1 ? rstrip(s, chars(args)) : null;
            case "split" -> args.length <= 2 ? split(s, args) : null;
            case "upper" -> args.length == 0 ? s.toUpperCase(Locale.ROOT) : null;
            case "lower" -> args.length == 0 ? s.toLowerCase(Locale.ROOT) : null;
            default -> null;
        };
        if (result != null) {
            context.setPropertyResolved(true);
        }
        return result;
    }

    /** Python accepts one prefix or a tuple (here: list) of them. */
    private static Boolean anyMatch(Object arg, Predicate<String> test) {
        if (arg instanceof String one) {
            return test.test(one);
        }
        if (arg instanceof List<?> many) {
            return many.stream().anyMatch(p -> p instanceof String prefix && test.test(prefix));
        }
        return null;
    }

    /** The characters to strip, or null for Python's default of whitespace. */
    private static String chars(Object[] args) {
        return args.length == 1 && args[0] != null ? String.valueOf(args[0]) : null;
    }

    private static boolean strippable(String chars, int codePoint) {
        return chars == null ? Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint)
                : chars.indexOf(codePoint) >= 0;
    }

    private static String lstrip(String s, String chars) {
        int start = 0;
        while (start < s.length() && strippable(chars, s.codePointAt(start))) {
            start += Character.charCount(s.codePointAt(start));
        }
        return s.substring(start);
    }

    private static String rstrip(String s, String chars) {
        int end = s.length();
        while (end > 0 && strippable(chars, s.codePointBefore(end))) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(0, end);
    }

    /** Python's split: on a literal separator, or on runs of whitespace without one; maxsplit optional. */
    private static List<String> split(String s, Object[] args) {
        String separator = args.length >= 1 && args[0] != null ? String.valueOf(args[0]) : null;
        int maxSplit = args.length == 2 && args[1] instanceof Number n ? n.intValue() : -1;
        List<String> parts = new ArrayList<>();
        if (separator == null) {
            String rest = lstrip(s, null);
            while (!rest.isEmpty() && (maxSplit < 0 || parts.size() < maxSplit)) {
                int end = 0;
                while (end < rest.length() && !strippable(null, rest.codePointAt(end))) {
                    end += Character.charCount(rest.codePointAt(end));
                }
                parts.add(rest.substring(0, end));
                rest = lstrip(rest.substring(end), null);
            }
            if (!rest.isEmpty()) {
                parts.add(rest);
            }
            return parts;
        }
        if (separator.isEmpty()) {
            return null;
        }
        int from = 0;
        int at;
        while ((maxSplit < 0 || parts.size() < maxSplit) && (at = s.indexOf(separator, from)) >= 0) {
            parts.add(s.substring(from, at));
            from = at + separator.length();
        }
        parts.add(s.substring(from));
        return parts;
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return false;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
