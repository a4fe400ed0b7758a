package org.iteralign.core.pipeline;

/**
 * Where long work reports how far it got. The CLI draws progress bars on stderr; an embedding application
 * can forward these to its own UI. Calls may come from several threads.
 */
public interface ProgressListener {
    /** A unit of work with {@code total} items begins; {@code done} of them are already finished (a resume). */
    void start(String label, int total, int done);

    void advance(int items);

    void finish();

    /** A one-line note for the user (stderr in the CLI). */
    void note(String message);

    ProgressListener NONE = new ProgressListener() {
        @Override
        public void start(String label, int total, int done) {}

        @Override
        public void advance(int items) {}

        @Override
        public void finish() {}

        @Override
        public void note(String message) {}
    };
}
