package org.iteralign.core.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.iteralign.core.UserInputException;

/**
 * The text around a Dromedary-style question (IBM/Dromedary {@code mc_evaluation/}): Dromedary's own prompt is
 * {@code {meta prompt}\n{question}\n\n### Dromedary{output prefix}}, where the meta prompt (CC BY-NC, so read from
 * the user's path, never shipped) ends with {@code ### User}. Without a meta prompt the same dialogue shape is kept
 * with neutral speaker names, {@code ### User\n{question}\n\n### Assistant{output prefix}}, so only the meta
 * prompt and the name differ between the two modes.
 */
public record DromedaryFrame(String metaPrompt) {
    public static final String STANDARD = "standard";
    public static final String DROMEDARY_COMPATIBLE = "dromedary-compatible";

    public static DromedaryFrame standard() {
        return new DromedaryFrame(null);
    }

    /** Dromedary's frame with the meta prompt in {@code file} ({@code dromedary_verbose_prompt.txt}), stripped as Dromedary strips it. */
    public static DromedaryFrame readMetaPrompt(Path file) {
        try {
            return new DromedaryFrame(Files.readString(file).strip());
        } catch (IOException e) {
            throw new UserInputException(file, "cannot read the Dromedary meta prompt: " + e.getMessage());
        }
    }

    public boolean dromedaryCompatible() {
        return metaPrompt != null;
    }

    public String mode() {
        return dromedaryCompatible() ? DROMEDARY_COMPATIBLE : STANDARD;
    }

    /** The scoring context: {@code instruction} in its frame, then the assistant's {@code outputPrefix}. */
    public String context(String instruction, String outputPrefix) {
        return dromedaryCompatible()
                ? metaPrompt + "\n" + instruction + "\n\n### Dromedary" + outputPrefix
                : "### User\n" + instruction + "\n\n### Assistant" + outputPrefix;
    }
}
