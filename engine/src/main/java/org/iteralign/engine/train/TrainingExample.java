package org.iteralign.engine.train;

/**
 * One tokenised sequence for training. {@code target[i]} says whether token i is predicted in the loss
 * (the assistant's reply and its end-of-turn token); token 0 can never be a target.
 */
public record TrainingExample(int[] tokens, boolean[] target) {
    public TrainingExample {
        if (tokens.length != target.length || tokens.length < 2) {
            throw new IllegalArgumentException(tokens.length + " tokens with " + target.length + " target flags");
        }
        if (target[0]) {
            throw new IllegalArgumentException("the first token has nothing before it to predict it");
        }
        tokens = tokens.clone();
        target = target.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public boolean[] target() {
        return target.clone();
    }

    public int length() {
        return tokens.length;
    }

    /** Number of tokens the loss predicts. */
    public int targetCount() {
        int n = 0;
        for (boolean t : target) {
            n += t ? 1 : 0;
        }
        return n;
    }

    int token(int i) {
        return tokens[i];
    }

    boolean isTarget(int i) {
        return target[i];
    }
}
