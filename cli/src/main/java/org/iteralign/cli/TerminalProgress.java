package org.iteralign.cli;

import org.iteralign.core.pipeline.ProgressListener;

import java.io.PrintStream;
import java.time.Duration;

/**
 * Progress bars on stderr. On a terminal the bar is redrawn in place with rate and ETA; into a file or pipe
 * (CI logs) it prints a line at the start, at every quarter and at the end, so logs stay short and readable.
 */
final class TerminalProgress implements ProgressListener {
    private static final int WIDTH = 28;

    private final PrintStream out;
    private final boolean interactive;
    private String label = "";
    private int total;
    private int done;
    private int startedWith;
    private long startNanos;
    private int lastQuarter;

    TerminalProgress(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    static TerminalProgress forStderr() {
        var console = System.console();
        return new TerminalProgress(System.err, console != null && console.isTerminal());
    }

    @Override
    public synchronized void start(String label, int total, int done) {
        this.label = label;
        this.total = total;
        this.done = done;
        this.startedWith = done;
        this.startNanos = System.nanoTime();
        this.lastQuarter = 0;
        if (interactive) draw();
        else out.println(label + ": " + done + "/" + total + (done > 0 ? " already done" : ""));
    }

    @Override
    public synchronized void advance(int items) {
        done = Math.min(total, done + items);
        if (interactive) {
            draw();
        } else if (total > 0) {
            int quarter = done * 4 / total;
            if (quarter > lastQuarter && done < total) {
                lastQuarter = quarter;
                out.println(label + ": " + done + "/" + total);
            }
        }
    }

    @Override
    public synchronized void finish() {
        if (interactive) {
            draw();
            out.println();
        } else {
            out.println(label + ": " + done + "/" + total + " done in " + format(elapsed()));
        }
    }

    @Override
    public synchronized void note(String message) {
        out.println(message);
    }

    private Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    private void draw() {
        int filled = total == 0 ? WIDTH : done * WIDTH / total;
        String bar = "#".repeat(filled) + "-".repeat(WIDTH - filled);
        int fresh = done - startedWith;
        String eta = "";
        if (fresh > 0 && done < total) {
            long perItem = elapsed().toNanos() / fresh;
            eta = " ETA " + format(Duration.ofNanos(perItem * (total - done)));
        }
        out.print("\r" + label + " [" + bar + "] " + done + "/" + total + " " + format(elapsed()) + eta + "   ");
        out.flush();
    }

    static String format(Duration d) {
        long s = d.toSeconds();
        return s >= 3600 ? "%d:%02d:%02d".formatted(s / 3600, s / 60 % 60, s % 60) : "%d:%02d".formatted(s / 60, s % 60);
    }
}
