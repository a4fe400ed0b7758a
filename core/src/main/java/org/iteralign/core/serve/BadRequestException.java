package org.iteralign.core.serve;

/**
 * A request the server cannot answer as sent: HTTP 400 with OpenAI's error body, naming the offending field
 * ({@code param}) where there is one.
 */
final class BadRequestException extends RuntimeException {
    private final String param;

    BadRequestException(String param, String message) {
        super(message);
        this.param = param;
    }

    /** The request field at fault, or null. */
    String param() {
        return param;
    }
}
