package org.iteralign.engine;

import java.nio.file.Path;

/**
 * A model file that cannot be used: truncated, corrupt, or of a kind the engine does not support.
 * Unchecked because it is a user-input error that travels unchanged up to the command line, which
 * prints {@link #getMessage()} ("FILE: reason") and exits.
 */
public final class ModelFormatException extends RuntimeException {
    private final transient Path file;
    private final String reason;

    public ModelFormatException(Path file, String reason) {
        super(file + ": " + reason);
        this.file = file;
        this.reason = reason;
    }

    public ModelFormatException(Path file, String reason, Throwable cause) {
        super(file + ": " + reason, cause);
        this.file = file;
        this.reason = reason;
    }

    public Path file() {
        return file;
    }

    public String reason() {
        return reason;
    }
}
