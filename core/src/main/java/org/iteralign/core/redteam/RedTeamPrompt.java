package org.iteralign.core.redteam;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One red-team prompt. {@code text} is the question (the first human turn); {@code transcript} is, for hh-rlhf
 * only, the raw transcript prefix up to and including the first {@code "\n\nAssistant:"} (null otherwise);
 * {@code id} identifies the text's content, so the same question gets the same id in every run;
 * {@code source} says where it came from ({@code FILE:LINE} or {@code builtin:N}).
 */
public record RedTeamPrompt(String id, String text, String transcript, String source) {
    public RedTeamPrompt {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(source, "source");
    }

    public static RedTeamPrompt of(String text, String transcript, String source) {
        return new RedTeamPrompt(contentId(text), text, transcript, source);
    }

    /** The first 16 hex characters of the SHA-256 of the UTF-8 text. */
    public static String contentId(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
