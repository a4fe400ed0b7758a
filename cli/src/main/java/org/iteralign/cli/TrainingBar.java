package org.iteralign.cli;

import org.iteralign.engine.train.TrainingListener;
import org.iteralign.engine.train.TrainingProgress;

import java.io.PrintStream;
import java.time.Duration;

/**
 * The progress of LoRA training on stderr: step, epoch, the last step's loss, tokens/s and ETA. Its own line
 * rather than a {@link TerminalProgress} because the loss changes every step. On a terminal the line is
 * redrawn in place; into a file or pipe it is printed at every quarter and at the end.
 */
final class TrainingBar implements TrainingListener {
    private final PrintStream out;
    private final boolean interactive;
    private long startNanos;
    private int startStep;
    private int lastQuarter;
    private TrainingProgress last;

    TrainingBar(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    static TrainingBar forStderr() {
        var console = System.console();
        return new TrainingBar(System.err, console != null && console.isTerminal());
    }

    @Override
    public void onStep(TrainingProgress p) {
        if (last == null) {
            startNanos = System.nanoTime();
            startStep = p.step() - 1;
            lastQuarter = startStep * 4 / p.totalSteps();
            if (startStep > 0) out.println("training: resumed at step " + p.step() + " of " + p.totalSteps());
        }
        last = p;
        if (interactive) {
            out.print("\r" + line(p) + "   ");
            out.flush();
        } else if (p.step() * 4 / p.totalSteps() > lastQuarter || p.step() == p.totalSteps()) {
            lastQuarter = p.step() * 4 / p.totalSteps();
            out.println(line(p));
        }
    }

    /** Ends the redrawn line; prints nothing when no step ran. */
    void finish() {
        if (last != null && interactive) out.println();
    }

    /** Loss of the last step, or NaN when no step ran. */
    double lastLoss() {
        return last == null ? Double.NaN : last.loss();
    }

    private String line(TrainingProgress p) {
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        String eta = "";
        if (p.step() < p.totalSteps()) {
            long perStep = elapsed.toNanos() / (p.step() - startStep);
            eta = " ETA " + TerminalProgress.format(Duration.ofNanos(perStep * (p.totalSteps() - p.step())));
        }
        return "training: step %d/%d epoch %d/%d loss %.4f %.0f tok/s %s%s".formatted(p.step(), p.totalSteps(), p.epoch(),
                p.epochs(), p.loss(), p.tokensPerSecond(), TerminalProgress.format(elapsed), eta);
    }
}
