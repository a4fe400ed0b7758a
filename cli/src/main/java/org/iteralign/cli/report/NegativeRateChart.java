package org.iteralign.cli.report;

import java.util.List;

/**
 * Bars of the negative rate per iteration: the red-team responses before self-reflection, and the revisions
 * after it. Each bar carries its rate in {@code data-value}; an iteration whose revisions were not judged gets a
 * "not verified" mark instead of an "after" bar, never a bar of zero.
 */
final class NegativeRateChart {
    static final String BEFORE = "#D55E00";
    static final String AFTER = "#0072B2";
    private static final int LEFT = 56;
    private static final int RIGHT = 14;
    private static final int TOP = 12;
    private static final int BOTTOM = 36;

    private NegativeRateChart() {}

    static String render(List<IterationRates> rates, int width, int height) {
        Svg.Scale y = new Svg.Scale(0, 1, height - BOTTOM, TOP);
        StringBuilder svg = new StringBuilder("<svg class=\"chart\" data-chart=\"negative-rate\" width=\"")
                .append(width).append("\" height=\"").append(height).append("\" viewBox=\"0 0 ")
                .append(width).append(' ').append(height)
                .append("\" role=\"img\" aria-label=\"negative rate per iteration\" xmlns=\"http://www.w3.org/2000/svg\"><g class=\"axis\">");
        for (double t : y.ticks(4)) {
            svg.append("<line class=\"gridline\" x1=\"").append(LEFT).append("\" x2=\"").append(width - RIGHT).append("\" y1=\"")
                    .append(Svg.at(y.map(t))).append("\" y2=\"").append(Svg.at(y.map(t))).append("\"/><text x=\"").append(LEFT - 6)
                    .append("\" y=\"").append(Svg.at(y.map(t) + 4)).append("\" text-anchor=\"end\">")
                    .append(Html.percentTick(t)).append("</text>");
        }
        double slot = (double) (width - LEFT - RIGHT) / Math.max(1, rates.size());
        double bar = Math.min(34, slot * 0.32);
        for (int i = 0; i < rates.size(); i++) {
            IterationRates r = rates.get(i);
            double centre = LEFT + slot * (i + 0.5);
            svg.append("<text x=\"").append(Svg.at(centre)).append("\" y=\"").append(height - BOTTOM + 15)
                    .append("\" text-anchor=\"middle\">").append(r.iteration()).append("</text>");
            double bx = centre - bar - 2;
            if (r.before().isPresent()) {
                bar(svg, "before", r.iteration(), r.before().getAsDouble(), bx, bar, y, BEFORE,
                        "iteration %d before reflection: %d of %d responses negative".formatted(r.iteration(), r.negatives(), r.responses()));
            }
            double ax = centre + 2;
            if (r.after().isPresent()) {
                bar(svg, "after", r.iteration(), r.after().getAsDouble(), ax, bar, y, AFTER,
                        "iteration %d after reflection: %d of %d revisions still negative".formatted(
                                r.iteration(), r.revisionsNegative(), r.revisionsJudged()));
            } else {
                String why = r.revisionsUnverified() ? "not verified" : "no revision";
                svg.append("<text class=\"missing\" data-series=\"after\" data-iteration=\"").append(r.iteration())
                        .append("\" x=\"").append(Svg.at(ax + bar / 2)).append("\" y=\"").append(Svg.at(y.map(0) - 6))
                        .append("\" text-anchor=\"start\" transform=\"rotate(-90 ").append(Svg.at(ax + bar / 2)).append(' ')
                        .append(Svg.at(y.map(0) - 6)).append(")\">").append(why).append("</text>");
            }
        }
        svg.append("<line class=\"baseline\" x1=\"").append(LEFT).append("\" x2=\"").append(width - RIGHT).append("\" y1=\"")
                .append(Svg.at(y.map(0))).append("\" y2=\"").append(Svg.at(y.map(0))).append("\"/><text class=\"title\" x=\"")
                .append((LEFT + width - RIGHT) / 2).append("\" y=\"").append(height - 4)
                .append("\" text-anchor=\"middle\">iteration</text></g>");
        return svg.append("</svg>").toString();
    }

    private static void bar(StringBuilder svg, String series, int iteration, double rate, double x, double width,
                            Svg.Scale y, String color, String tip) {
        double top = y.map(rate);
        svg.append("<rect class=\"bar\" data-series=\"").append(series).append("\" data-iteration=\"").append(iteration)
                .append("\" data-value=\"").append(Html.raw(rate)).append("\" x=\"").append(Svg.at(x)).append("\" y=\"")
                .append(Svg.at(top)).append("\" width=\"").append(Svg.at(width)).append("\" height=\"")
                .append(Svg.at(Math.max(0.5, y.map(0) - top))).append("\" fill=\"").append(color).append("\"><title>")
                .append(tip).append(" (").append(Html.percent(rate)).append(")</title></rect>");
        svg.append("<text class=\"value\" x=\"").append(Svg.at(x + width / 2)).append("\" y=\"").append(Svg.at(top - 4))
                .append("\" text-anchor=\"middle\">").append(Html.percent(rate).replace(".0%", "%")).append("</text>");
    }
}
