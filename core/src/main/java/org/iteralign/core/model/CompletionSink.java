package org.iteralign.core.model;

/**
 * Receives each completion of a batch as soon as it is ready, so the run store can keep finished (and paid
 * for) work even if the process dies before the whole batch is done. May be called from several threads.
 */
@FunctionalInterface
public interface CompletionSink {
    void accept(int index, Completion completion);
}
