package org.iteralign.cli.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What the report's charts share: linear scales with round tick values, coordinates, and one colour palette. */
final class Svg {
    /** Okabe-Ito colours: distinguishable with the common colour-vision deficiencies (yellow left out: unreadable on white). */
    private static final String[] PALETTE = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"};

    private Svg() {}

    static String color(int index) {
        return PALETTE[index % PALETTE.length];
    }

    /** A coordinate, short enough to keep the page small. */
    static String at(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Maps [min, max] of the data onto [from, to] in pixels (to may be smaller than from: the y axis grows upwards). */
    record Scale(double min, double max, double from, double to) {
        double map(double v) {
            return max == min ? (from + to) / 2 : from + (v - min) / (max - min) * (to - from);
        }

        /** About {@code count} ticks at 1, 2 or 5 times a power of ten, inside [min, max]. */
        List<Double> ticks(int count) {
            double span = max - min;
            if (span <= 0) return List.of(min);
            double rough = span / count;
            double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
            double r = rough / magnitude;
            double step = magnitude * (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10);
            List<Double> out = new ArrayList<>();
            for (double t = Math.ceil(min / step - 1e-9) * step; t <= max + step * 1e-9; t += step) {
                out.add(Math.abs(t) < step * 1e-9 ? 0 : t);
            }
            return out;
        }

        /** A range around the values, widened to round numbers so the ticks land on the edges. */
        static Scale around(double low, double high, double from, double to) {
            if (low == high) {
                double pad = low == 0 ? 1 : Math.abs(low) * 0.1;
                low -= pad;
                high += pad;
            }
            double step = Math.pow(10, Math.floor(Math.log10((high - low) / 4)));
            return new Scale(Math.floor(low / step) * step, Math.ceil(high / step) * step, from, to);
        }
    }
}
