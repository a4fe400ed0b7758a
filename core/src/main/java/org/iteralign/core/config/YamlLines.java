package org.iteralign.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Line numbers of every key in a YAML document, by JSON pointer ("/red_team/batch_size"), so that a value
 * found wrong after parsing can still be reported as {@code FILE:LINE}.
 */
final class YamlLines {
    private final Map<String, Integer> lineByPointer;

    private YamlLines(Map<String, Integer> lineByPointer) {
        this.lineByPointer = lineByPointer;
    }

    static YamlLines index(String yaml) throws IOException {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser parser = new YAMLFactory().createParser(yaml)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token == JsonToken.FIELD_NAME || token.isScalarValue() || token == JsonToken.START_OBJECT
                        || token == JsonToken.START_ARRAY) {
                    String pointer = parser.getParsingContext().pathAsPointer().toString();
                    if (token != JsonToken.FIELD_NAME && parser.getParsingContext().inObject()) continue;
                    lines.putIfAbsent(pointer, parser.currentLocation().getLineNr());
                }
            }
        }
        return new YamlLines(lines);
    }

    /** The line of the key at {@code pointer}, or of its nearest ancestor, or 0 when unknown. */
    int lineOf(String pointer) {
        String p = pointer;
        while (!p.isEmpty()) {
            Integer line = lineByPointer.get(p);
            if (line != null) return line;
            p = p.substring(0, Math.max(0, p.lastIndexOf('/')));
        }
        return 0;
    }
}
