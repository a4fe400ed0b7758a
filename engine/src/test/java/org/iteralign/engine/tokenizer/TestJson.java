package org.iteralign.engine.tokenizer;

/** Lets tests in other packages read their JSON fixtures with the engine's own small reader. */
public final class TestJson {
    private TestJson() {
    }

    public static Object parse(String text) {
        return Json.parse(text);
    }
}
