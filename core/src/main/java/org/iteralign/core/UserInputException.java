package org.iteralign.core;

import java.nio.file.Path;

/**
 * A problem with something the user gave us (a file, a flag, a config key). The CLI prints it as the one
 * line {@code error: FILE[:LINE]: message} and exits with code 2; it is never shown as a stack trace.
 */
public final class UserInputException extends RuntimeException {
    private final String source;
    private final int line;

    /** @param source the file (or flag) at fault; @param line 1-based line number, or 0 when unknown */
    public UserInputException(String source, int line, String message) {
        super(message);
        this.source = source;
        this.line = line;
    }

    public UserInputException(String source, String message) {
        this(source, 0, message);
    }

    public UserInputException(Path source, int line, String message) {
        this(source.toString(), line, message);
    }

    public UserInputException(Path source, String message) {
        this(source.toString(), 0, message);
    }

    public String source() {
        return source;
    }

    public int line() {
        return line;
    }

    /** The single line the CLI prints: {@code error: FILE[:LINE]: what is wrong}. */
    public String toErrorLine() {
        String where = line > 0 ? source + ":" + line : source;
        return "error: " + where + ": " + getMessage().replace('\n', ' ');
    }
}
