package org.iteralign.core.eval;

/** A candidate answer of a multiple-choice item and whether it is a correct one. */
public record LabelledAnswer(String text, boolean correct) {}
