package org.iteralign.cli.report;

/**
 * A red-team prompt whose answer was judged negative, and the target's answer after self-reflection.
 * {@code revisionVerdict} is null when revisions were not verified.
 */
record RevisionExample(int iteration, String promptId, String prompt, String response, String revision,
                       String revisionVerdict, int principles, boolean kept) {}
