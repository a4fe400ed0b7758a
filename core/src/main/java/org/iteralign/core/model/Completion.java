package org.iteralign.core.model;

/** A model's answer to one prompt. {@code finishReason} is "stop", "length" or the backend's own word. */
public record Completion(String text, String finishReason, Usage usage) {}
