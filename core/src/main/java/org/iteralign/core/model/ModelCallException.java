package org.iteralign.core.model;

/**
 * A model call that failed for good: the provider refused it (4xx), kept failing after retries, or sent
 * something we cannot read. The message names the provider and, where we know it, the fix.
 */
public final class ModelCallException extends RuntimeException {
    private final boolean userFixable;

    public ModelCallException(String message, boolean userFixable, Throwable cause) {
        super(message, cause);
        this.userFixable = userFixable;
    }

    public ModelCallException(String message, boolean userFixable) {
        this(message, userFixable, null);
    }

    /** True for failures the user must fix (bad key, unknown model, bad request): exit 2, not a retry. */
    public boolean userFixable() {
        return userFixable;
    }
}
