package org.iteralign.cli.report;

/** One logged training step of one iteration's fine-tuning (a row of {@code training_metrics}). */
record LossPoint(int iteration, int step, double epoch, double loss) {}
