package org.iteralign.engine.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void readsTheValueKinds() {
        Object value = Json.parse(" {\"a\": [1, -2.5e3, true, false, null], \"b\": {}, \"c\": [], \"d\": \"x\"} ");
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("a", Arrays.asList(1L, -2500.0, true, false, null));
        expected.put("b", Map.of());
        expected.put("c", List.of());
        expected.put("d", "x");
        assertEquals(expected, value);
    }

    @Test
    void decodesEscapesIncludingSurrogatePairs() {
        assertEquals("\"\\/\b\f\n\r\t é 😀 Ġ", Json.parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t \\u00e9 \\ud83d\\ude00 \\u0120\""));
    }

    @Test
    void rejectsMalformedInputWithTheOffset() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": 1,}"));
        assertEquals("expected a string key at offset 8", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1] 2"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("\"open"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("tru"));
    }

    @Test
    void writesWhatItReads() {
        String text = "{\"r\": 16, \"alpha\": 32.5, \"targets\": [\"q_proj\", \"k_proj\"], \"bias\": null, \"ok\": true, \"s\": \"a\\\"b\\n\"}";
        Object value = Json.parse(text);
        assertEquals(text, Json.write(value));
        assertEquals(value, Json.parse(Json.write(value)));
    }
}
