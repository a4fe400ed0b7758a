package org.iteralign.core.pipeline;

/** How a call to {@link IterAlignRun#execute} ended, and where its files are. */
public record RunOutcome(RunDirectory directory, Status status, RunSummary summary) {
    public enum Status {
        /** The run did its remaining work and is now finished. */
        COMPLETED,
        /** The directory already held a finished run: nothing was done and no model was called. */
        ALREADY_FINISHED
    }
}
