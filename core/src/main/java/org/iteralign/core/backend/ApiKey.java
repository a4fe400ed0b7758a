package org.iteralign.core.backend;

import java.util.Optional;
import java.util.function.Function;

import org.iteralign.core.model.ModelCallException;

/**
 * An API key and the environment variable it came from. The key is only ever put in a request header:
 * {@link #toString()} shows the variable, never the value, so a key cannot leak through a log or message.
 */
record ApiKey(String variable, String value) {

    /**
     * Reads the key from {@code configuredVariable}, or from {@code defaultVariable} when none is configured.
     * A variable that is named (by the user or by default) must be set; with neither there is no key.
     *
     * @param provider names the backend in the error message
     * @throws ModelCallException (user-fixable) when the variable is not set
     */
    static Optional<ApiKey> fromEnvironment(String configuredVariable, String defaultVariable,
                                            Function<String, String> env, String provider) {
        String variable = configuredVariable != null && !configuredVariable.isBlank() ? configuredVariable.strip()
                : defaultVariable;
        if (variable == null) return Optional.empty();
        String value = env.apply(variable);
        if (value == null || value.isBlank()) {
            throw new ModelCallException(provider + ": no API key: environment variable " + variable
                    + " is not set; export " + variable + "=... and run again", true);
        }
        return Optional.of(new ApiKey(variable, value.strip()));
    }

    /** {@code text} with every occurrence of the key replaced, for messages that quote a provider's answer. */
    String redact(String text) {
        return text == null ? null : text.replace(value, "***");
    }

    @Override
    public String toString() {
        return "$" + variable;
    }
}
