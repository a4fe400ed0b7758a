package org.iteralign.cli.report;

import java.util.List;

/**
 * The constitution library as a timeline: one row per principle, a dot in each iteration that proposed it
 * (bigger when proposed more than once there, ringed where it was first proposed), and, on expanding the row,
 * the red-team cases behind it. Rows are {@code <details>} elements, so expanding needs no script.
 */
final class ConstitutionTimeline {
    private static final int COLUMN = 30;

    private ConstitutionTimeline() {}

    static String render(List<PrincipleHistory> principles, int iterations) {
        StringBuilder html = new StringBuilder("<div class=\"timeline\" id=\"timeline\">");
        html.append("<div class=\"timeline-head\"><span class=\"pid\"></span>").append(strip(null, iterations))
                .append("<span class=\"times\">proposed</span><span class=\"ptext\">principle</span></div>");
        for (PrincipleHistory p : principles) {
            html.append("<details class=\"principle\" data-principle=\"").append(Html.text(p.id())).append("\"><summary>")
                    .append("<span class=\"pid\">").append(Html.text(p.id())).append("</span>").append(strip(p, iterations))
                    .append("<span class=\"times\" data-value=\"").append(p.proposedIn().size()).append("\">")
                    .append(p.proposedIn().size()).append("&times;</span><span class=\"ptext\">").append(Html.text(p.text()))
                    .append("</span></summary><div class=\"cases\"><p class=\"muted\">First proposed in iteration ")
                    .append(p.firstIteration()).append(", from these ").append(p.cases().size())
                    .append(p.cases().size() == 1 ? " negative case:" : " negative cases:").append("</p><ol>");
            for (PrincipleHistory.Case c : p.cases()) {
                html.append("<li><div class=\"case-meta\">iteration ").append(c.iteration()).append(" &middot; <code>")
                        .append(Html.text(c.promptId())).append("</code></div><div class=\"pair\"><div><h4>Prompt</h4><pre>")
                        .append(Html.text(c.prompt())).append("</pre></div><div><h4>Negative response</h4><pre>")
                        .append(Html.text(c.response())).append("</pre></div></div></li>");
            }
            html.append("</ol></div></details>");
        }
        return html.append("</div>").toString();
    }

    /** The row's dots, or, for the header (principle null), the iteration numbers. */
    private static String strip(PrincipleHistory p, int iterations) {
        int width = COLUMN * iterations;
        StringBuilder svg = new StringBuilder("<svg class=\"strip\" width=\"").append(width).append("\" height=\"22\" viewBox=\"0 0 ")
                .append(width).append(" 22\" xmlns=\"http://www.w3.org/2000/svg\"");
        if (p == null) {
            svg.append(" aria-hidden=\"true\">");
        } else {
            String id = Html.text(p.id());
            svg.append(" data-chart=\"timeline\" data-principle=\"").append(id).append("\" role=\"img\" aria-label=\"iterations proposing ")
                    .append(id).append("\">");
        }
        for (int it = 1; it <= iterations; it++) {
            double cx = COLUMN * (it - 0.5);
            if (p == null) {
                svg.append("<text x=\"").append(Svg.at(cx)).append("\" y=\"15\" text-anchor=\"middle\">").append(it).append("</text>");
                continue;
            }
            long times = p.timesProposedIn(it);
            svg.append("<line class=\"track\" x1=\"").append(Svg.at(cx - COLUMN / 2.0)).append("\" x2=\"")
                    .append(Svg.at(cx + COLUMN / 2.0)).append("\" y1=\"11\" y2=\"11\"/>");
            if (times > 0) {
                svg.append("<circle class=\"").append(it == p.firstIteration() ? "proposal first" : "proposal")
                        .append("\" data-iteration=\"").append(it).append("\" data-value=\"").append(times).append("\" cx=\"")
                        .append(Svg.at(cx)).append("\" cy=\"11\" r=\"").append(Svg.at(Math.min(9, 4.5 + 1.5 * (times - 1))))
                        .append("\"><title>").append(Html.text(p.id())).append(it == p.firstIteration() ? " first proposed" : " proposed again")
                        .append(" in iteration ").append(it).append(times > 1 ? " (" + times + " times)" : "").append("</title></circle>");
            }
        }
        return svg.append("</svg>").toString();
    }
}
