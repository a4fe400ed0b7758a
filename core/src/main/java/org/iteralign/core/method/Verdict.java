package org.iteralign.core.method;

/** The oracle's judgement of one response; {@code UNPARSED} when its reply names neither. */
public enum Verdict { POSITIVE, NEGATIVE, UNPARSED }
