package org.iteralign.core.pipeline;

/** One supervised example: the red-team prompt as the user sent it (no constitutions) and the revised answer. */
public record SftExample(int iteration, String promptId, String prompt, String response) {}
