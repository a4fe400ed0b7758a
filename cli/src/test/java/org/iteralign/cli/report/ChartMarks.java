package org.iteralign.cli.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the report's charts back: each {@code <svg data-chart>} and the marks in it that carry a {@code data-value}. */
record ChartMarks(String chart, Map<String, String> attributes, List<Map<String, String>> marks) {
    private static final Pattern SVG = Pattern.compile("<svg\\b([^>]*)>(.*?)</svg>", Pattern.DOTALL);
    private static final Pattern ELEMENT = Pattern.compile("<([a-z]+)\\b([^>]*)>");
    private static final Pattern ATTRIBUTE = Pattern.compile("([a-z-]+)=\"([^\"]*)\"");

    static List<ChartMarks> all(String html) {
        List<ChartMarks> charts = new ArrayList<>();
        Matcher svg = SVG.matcher(html);
        while (svg.find()) {
            Map<String, String> attrs = attributes(svg.group(1));
            if (!attrs.containsKey("data-chart")) continue;
            List<Map<String, String>> marks = new ArrayList<>();
            Matcher element = ELEMENT.matcher(svg.group(2));
            String series = null;
            while (element.find()) {
                Map<String, String> a = attributes(element.group(2));
                if (element.group(1).equals("g") && a.containsKey("data-series")) series = a.get("data-series");
                if (!a.containsKey("data-value")) continue;
                a.put("tag", element.group(1));
                if (!a.containsKey("data-series") && series != null) a.put("data-series", series);
                marks.add(a);
            }
            charts.add(new ChartMarks(attrs.get("data-chart"), attrs, marks));
        }
        return charts;
    }

    static ChartMarks named(String html, String chart) {
        return all(html).stream().filter(c -> c.chart().equals(chart)).findFirst()
                .orElseThrow(() -> new AssertionError("no chart " + chart));
    }

    List<Map<String, String>> marks(String tag) {
        return marks.stream().filter(m -> m.get("tag").equals(tag)).toList();
    }

    private static Map<String, String> attributes(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = ATTRIBUTE.matcher(text);
        while (m.find()) out.put(m.group(1), m.group(2));
        return out;
    }
}
