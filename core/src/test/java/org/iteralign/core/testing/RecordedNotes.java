package org.iteralign.core.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.iteralign.core.pipeline.ProgressListener;

/** A progress listener that keeps the notes it is given, for assertions; progress counts are ignored. */
public final class RecordedNotes implements ProgressListener {
    private final List<String> lines = new CopyOnWriteArrayList<>();

    @Override
    public void start(String label, int total, int done) {}

    @Override
    public void advance(int items) {}

    @Override
    public void finish() {}

    @Override
    public void note(String message) {
        lines.add(message);
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** Whether some note contains {@code fragment}. */
    public boolean contains(String fragment) {
        return lines.stream().anyMatch(l -> l.contains(fragment));
    }

    @Override
    public String toString() {
        return lines.toString();
    }
}
