package org.iteralign.engine.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JinjaRewritesTest {
    @Test
    void reversesSlicesWithAFilter() {
        assertEquals("{% for m in (messages|reverse) %}", JinjaRewrites.apply("{% for m in messages[::-1] %}"));
        assertEquals("{{ (a.b[0].c(x, y)|reverse)[0] }}", JinjaRewrites.apply("{{ a.b[0].c(x, y)[ :: -1 ][0] }}"));
    }

    @Test
    void parenthesisesNamespaceKeywordValues() {
        assertEquals("{% set ns = namespace(a=(true), n=(messages|length - 1), s=('x,y'), t=(f(1, 2))) %}",
                JinjaRewrites.apply("{% set ns = namespace(a=true, n=messages|length - 1, s='x,y', t=f(1, 2)) %}"));
        assertEquals("{% set ns = namespace() %}", JinjaRewrites.apply("{% set ns = namespace() %}"));
    }

    @Test
    void leavesStringsAndTemplateTextAlone() {
        String source = "namespace(a=b - 1) xs[::-1] {{ 'namespace(a=b - 1)' + \"xs[::-1]\" }} {# {{ #} xs[::-1]";
        assertEquals(source, JinjaRewrites.apply(source));
        assertEquals("{{ a == 1 }}", JinjaRewrites.apply("{{ a == 1 }}"));
    }
}
