package org.iteralign.cli.report;

import java.util.List;
import java.util.Map;

/**
 * A line chart drawn as inline SVG: one line per series, a marker per point with its value in {@code data-value}
 * (and {@code data-lo}/{@code data-hi} for a 95% interval, drawn as an error bar), and an optional dashed
 * reference line (the starting model's score).
 */
final class LineChart {
    private static final int LEFT = 56;
    private static final int RIGHT = 14;
    private static final int TOP = 12;
    private static final int BOTTOM = 36;

    /** One plotted value; {@code ci} is null when the source gave no interval. */
    record Point(double x, double y, Interval ci) {}

    /** A 95% confidence interval, drawn as an error bar. */
    record Interval(double low, double high) {}

    record Series(String name, List<Point> points) {}

    private final String chart;
    private final int width;
    private final int height;
    private String xTitle = "";
    private Map<Double, String> xLabels;
    private boolean percent;
    private Double reference;
    private boolean markers = true;

    /** @param chart names the chart in {@code data-chart}, so tests and readers can find it */
    LineChart(String chart, int width, int height) {
        this.chart = chart;
        this.width = width;
        this.height = height;
    }

    LineChart xTitle(String title) {
        xTitle = title;
        return this;
    }

    /** Category labels at these x values instead of numeric ticks. */
    LineChart xLabels(Map<Double, String> labels) {
        xLabels = labels;
        return this;
    }

    /** Values are fractions, shown as percentages. */
    LineChart percent() {
        percent = true;
        return this;
    }

    LineChart reference(double y) {
        reference = y;
        return this;
    }

    /** Leaves out the point markers of long series (loss curves); values then sit on the line's {@code data-values}. */
    LineChart markers(boolean on) {
        markers = on;
        return this;
    }

    String render(List<Series> series) {
        Svg.Scale x = xScale(series);
        Svg.Scale y = yScale(series);
        StringBuilder svg = new StringBuilder();
        svg.append("<svg class=\"chart\" data-chart=\"").append(Html.text(chart)).append("\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ")
                .append(width).append(' ').append(height).append("\" role=\"img\" aria-label=\"").append(Html.text(chart))
                .append("\" xmlns=\"http://www.w3.org/2000/svg\">");
        axes(svg, x, y);
        if (reference != null) {
            svg.append("<line class=\"reference\" x1=\"").append(LEFT).append("\" x2=\"").append(width - RIGHT)
                    .append("\" y1=\"").append(Svg.at(y.map(reference))).append("\" y2=\"").append(Svg.at(y.map(reference)))
                    .append("\" data-value=\"").append(Html.raw(reference)).append("\"><title>starting model: ")
                    .append(value(reference)).append("</title></line>");
        }
        for (int s = 0; s < series.size(); s++) line(svg, series.get(s), Svg.color(s), x, y);
        return svg.append("</svg>").toString();
    }

    private void line(StringBuilder svg, Series series, String color, Svg.Scale x, Svg.Scale y) {
        String name = Html.text(series.name());
        StringBuilder path = new StringBuilder();
        StringBuilder values = new StringBuilder();
        for (Point p : series.points()) {
            path.append(path.isEmpty() ? "M" : " L").append(Svg.at(x.map(p.x()))).append(',').append(Svg.at(y.map(p.y())));
            values.append(values.isEmpty() ? "" : " ").append(Html.raw(p.y()));
        }
        svg.append("<g class=\"series\" data-series=\"").append(name).append("\" stroke=\"").append(color)
                .append("\" fill=\"").append(color).append("\">");
        if (series.points().size() > 1) {
            svg.append("<path class=\"line\" fill=\"none\" d=\"").append(path).append("\" data-values=\"").append(values).append("\"/>");
        }
        if (markers || series.points().size() == 1) {
            for (Point p : series.points()) marker(svg, series.name(), p, x, y);
        }
        svg.append("</g>");
    }

    private void marker(StringBuilder svg, String series, Point p, Svg.Scale x, Svg.Scale y) {
        double cx = x.map(p.x());
        String label = xLabels != null && xLabels.containsKey(p.x()) ? xLabels.get(p.x()) : Html.decimal(p.x());
        String tip = series + " at " + label + ": " + value(p.y());
        if (p.ci() != null) {
            double lo = y.map(p.ci().low());
            double hi = y.map(p.ci().high());
            svg.append("<path class=\"ci\" d=\"M").append(Svg.at(cx - 4)).append(',').append(Svg.at(lo)).append(" H")
                    .append(Svg.at(cx + 4)).append(" M").append(Svg.at(cx)).append(',').append(Svg.at(lo)).append(" V")
                    .append(Svg.at(hi)).append(" M").append(Svg.at(cx - 4)).append(',').append(Svg.at(hi)).append(" H")
                    .append(Svg.at(cx + 4)).append("\"/>");
            tip += " (95% CI " + value(p.ci().low()) + " to " + value(p.ci().high()) + ")";
        }
        svg.append("<circle class=\"point\" cx=\"").append(Svg.at(cx)).append("\" cy=\"").append(Svg.at(y.map(p.y())))
                .append("\" r=\"3.5\" data-x=\"").append(Html.raw(p.x())).append("\" data-value=\"").append(Html.raw(p.y())).append('"');
        if (p.ci() != null) {
            svg.append(" data-lo=\"").append(Html.raw(p.ci().low())).append("\" data-hi=\"").append(Html.raw(p.ci().high())).append('"');
        }
        svg.append("><title>").append(Html.text(tip)).append("</title></circle>");
    }

    private String value(double v) {
        return percent ? Html.percent(v) : Html.decimal(v);
    }

    private void axes(StringBuilder svg, Svg.Scale x, Svg.Scale y) {
        double bottom = height - BOTTOM;
        svg.append("<g class=\"axis\">");
        for (double t : y.ticks(4)) {
            double py = y.map(t);
            svg.append("<line class=\"gridline\" x1=\"").append(LEFT).append("\" x2=\"").append(width - RIGHT).append("\" y1=\"")
                    .append(Svg.at(py)).append("\" y2=\"").append(Svg.at(py)).append("\"/><text x=\"").append(LEFT - 6)
                    .append("\" y=\"").append(Svg.at(py + 4)).append("\" text-anchor=\"end\">")
                    .append(percent ? Html.percentTick(t) : Html.tick(t)).append("</text>");
        }
        if (xLabels != null) {
            for (var e : xLabels.entrySet()) xTick(svg, x.map(e.getKey()), bottom, e.getValue());
        } else {
            for (double t : x.ticks(6)) xTick(svg, x.map(t), bottom, Html.tick(t));
        }
        svg.append("<line class=\"baseline\" x1=\"").append(LEFT).append("\" x2=\"").append(width - RIGHT).append("\" y1=\"")
                .append(Svg.at(bottom)).append("\" y2=\"").append(Svg.at(bottom)).append("\"/>");
        svg.append("<text class=\"title\" x=\"").append((LEFT + width - RIGHT) / 2).append("\" y=\"").append(height - 4)
                .append("\" text-anchor=\"middle\">").append(Html.text(xTitle)).append("</text></g>");
    }

    private static void xTick(StringBuilder svg, double px, double bottom, String label) {
        svg.append("<text x=\"").append(Svg.at(px)).append("\" y=\"").append(Svg.at(bottom + 15))
                .append("\" text-anchor=\"middle\">").append(Html.text(label)).append("</text>");
    }

    private Svg.Scale xScale(List<Series> series) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (Point p : s.points()) {
                min = Math.min(min, p.x());
                max = Math.max(max, p.x());
            }
        }
        if (xLabels != null) {
            for (double v : xLabels.keySet()) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        // Category axes get half a slot of air on each side, so the first and last error bars are not clipped.
        double pad = xLabels != null ? 0.5 : 0;
        return new Svg.Scale(min - pad, max + pad, LEFT + 8, width - RIGHT - 8);
    }

    private Svg.Scale yScale(List<Series> series) {
        double low = reference != null ? reference : Double.POSITIVE_INFINITY;
        double high = reference != null ? reference : Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (Point p : s.points()) {
                low = Math.min(low, p.ci() != null ? Math.min(p.y(), p.ci().low()) : p.y());
                high = Math.max(high, p.ci() != null ? Math.max(p.y(), p.ci().high()) : p.y());
            }
        }
        Svg.Scale nice = Svg.Scale.around(low, high, 0, 1);
        return new Svg.Scale(nice.min(), nice.max(), height - BOTTOM, TOP);
    }
}
