package org.iteralign.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.iteralign.core.UserInputException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Typed, line-aware reads from one YAML mapping. Every key read is remembered, so {@link #rejectUnknownKeys()}
 * can name the first key nobody asked for: unknown keys are errors, not silently ignored typos.
 */
final class ConfigReader {
    private final String file;
    private final YamlLines lines;
    private final ObjectNode node;
    private final String pointer;
    private final Set<String> known = new LinkedHashSet<>();

    ConfigReader(String file, YamlLines lines, ObjectNode node, String pointer) {
        this.file = file;
        this.lines = lines;
        this.node = node;
        this.pointer = pointer;
    }

    UserInputException error(String key, String message) {
        String at = key == null ? pointer : pointer + "/" + key;
        return new UserInputException(file, lines.lineOf(at), message);
    }

    private String name(String key) {
        String dotted = (pointer + "/" + key).substring(1).replace('/', '.');
        return dotted.isEmpty() ? key : dotted;
    }

    private JsonNode value(String key) {
        known.add(key);
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }

    boolean has(String key) {
        known.add(key);
        return value(key) != null;
    }

    String string(String key, String fallback) {
        JsonNode v = value(key);
        if (v == null) return fallback;
        if (!v.isValueNode()) throw error(key, "'" + name(key) + "' must be a text value");
        return v.asText();
    }

    String requiredString(String key) {
        String s = string(key, null);
        if (s == null || s.isBlank()) throw error(key, "missing required key '" + name(key) + "'");
        return s;
    }

    String choice(String key, String fallback, List<String> allowed) {
        String s = string(key, fallback);
        if (!allowed.contains(s)) {
            throw error(key, "'" + name(key) + "' is '" + s + "'; expected one of " + String.join(", ", allowed));
        }
        return s;
    }

    int integer(String key, int fallback, int min, int max) {
        JsonNode v = value(key);
        if (v == null) return fallback;
        if (!v.canConvertToInt() || !v.isIntegralNumber()) throw error(key, "'" + name(key) + "' must be a whole number");
        int i = v.asInt();
        if (i < min || i > max) throw error(key, "'" + name(key) + "' is " + i + "; expected " + min + ".." + max);
        return i;
    }

    long longValue(String key, long fallback) {
        JsonNode v = value(key);
        if (v == null) return fallback;
        if (!v.isIntegralNumber()) throw error(key, "'" + name(key) + "' must be a whole number");
        return v.asLong();
    }

    double decimal(String key, double fallback, double min, double max) {
        JsonNode v = value(key);
        if (v == null) return fallback;
        if (!v.isNumber()) throw error(key, "'" + name(key) + "' must be a number");
        double d = v.asDouble();
        if (d < min || d > max) throw error(key, "'" + name(key) + "' is " + d + "; expected " + min + ".." + max);
        return d;
    }

    boolean bool(String key, boolean fallback) {
        JsonNode v = value(key);
        if (v == null) return fallback;
        if (!v.isBoolean()) throw error(key, "'" + name(key) + "' must be true or false");
        return v.asBoolean();
    }

    List<String> strings(String key, List<String> fallback) {
        JsonNode v = value(key);
        if (v == null) return fallback;
        if (!v.isArray()) throw error(key, "'" + name(key) + "' must be a list");
        List<String> out = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isValueNode()) throw error(key, "'" + name(key) + "' must be a list of text values");
            out.add(item.asText());
        }
        return out;
    }

    /** A mapping of text keys to text values, e.g. {@code evaluation.data}, in file order. */
    Map<String, String> stringMap(String key) {
        JsonNode v = value(key);
        Map<String, String> out = new java.util.LinkedHashMap<>();
        if (v == null) return out;
        if (!v.isObject()) throw error(key, "'" + name(key) + "' must be a mapping of names to values");
        for (var it = v.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isValueNode()) throw error(key + "/" + e.getKey(), "'" + name(key) + "." + e.getKey() + "' must be a text value");
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    /** The mapping under {@code key}; an absent key reads as an empty mapping so defaults apply. */
    ConfigReader section(String key) {
        JsonNode v = value(key);
        if (v == null) return new ConfigReader(file, lines, node.objectNode(), pointer + "/" + key);
        if (!v.isObject()) throw error(key, "'" + name(key) + "' must be a mapping of keys to values");
        return new ConfigReader(file, lines, (ObjectNode) v, pointer + "/" + key);
    }

    <T> List<T> sections(String key, Function<ConfigReader, T> read) {
        JsonNode v = value(key);
        if (v == null) return List.of();
        if (!v.isArray()) throw error(key, "'" + name(key) + "' must be a list");
        List<T> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode item = v.get(i);
            String at = pointer + "/" + key + "/" + i;
            if (!item.isObject()) {
                throw new UserInputException(file, lines.lineOf(at), "each entry of '" + name(key) + "' must be a mapping");
            }
            ConfigReader entry = new ConfigReader(file, lines, (ObjectNode) item, at);
            out.add(read.apply(entry));
            entry.rejectUnknownKeys();
        }
        return out;
    }

    void rejectUnknownKeys() {
        for (var it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                throw error(key, "unknown key '" + name(key) + "'" + (known.isEmpty() ? "" : "; known keys here: " + String.join(", ", known)));
            }
        }
    }
}
