package org.iteralign.core.serve;

import java.util.List;

import org.iteralign.engine.tokenizer.TokenStreamDecoder;
import org.iteralign.engine.tokenizer.Tokenizer;

/**
 * The answer text of one choice as its tokens arrive. Text is released as soon as it is certain: whole
 * characters only, and never a tail that could be the start of a stop string, so a streamed answer never shows
 * the stop string or a part of it, and the streamed pieces add up to exactly the final text. Not thread-safe.
 */
final class ChoiceText {
    private final TokenStreamDecoder decoder;
    private final List<String> stops;
    private final StringBuilder released = new StringBuilder();
    /** Decoded text not yet released because a stop string might begin in it. */
    private final StringBuilder held = new StringBuilder();
    private int tokens;
    private boolean stopped;

    ChoiceText(Tokenizer tokenizer, List<String> stops) {
        this.decoder = tokenizer.streamDecoder();
        this.stops = List.copyOf(stops);
    }

    /** Takes the next generated token; returns the text it releases (often empty). Ignored after a stop. */
    String accept(int token) {
        if (stopped) return "";
        tokens++;
        held.append(decoder.next(token));
        int cut = -1;
        for (String stop : stops) {
            int at = held.indexOf(stop);
            if (at >= 0 && (cut < 0 || at < cut)) cut = at;
        }
        if (cut >= 0) {
            stopped = true;
            return release(cut);
        }
        return release(held.length() - longestStopPrefixAtEnd());
    }

    /** Releases whatever is still held: the answer ended without a stop string. */
    String finish() {
        if (stopped) return "";
        held.append(decoder.flush());
        return release(held.length());
    }

    /** Whether a stop string ended the text. */
    boolean stopped() {
        return stopped;
    }

    /** Generated tokens counted for the answer, up to and including the one that completed a stop string. */
    int tokens() {
        return tokens;
    }

    /** All text released so far. */
    String text() {
        return released.toString();
    }

    private String release(int length) {
        String out = held.substring(0, length);
        held.delete(0, length);
        released.append(out);
        return out;
    }

    private int longestStopPrefixAtEnd() {
        int longest = 0;
        for (String stop : stops) {
            for (int k = Math.min(stop.length() - 1, held.length()); k > longest; k--) {
                if (held.substring(held.length() - k).equals(stop.substring(0, k))) {
                    longest = k;
                    break;
                }
            }
        }
        return longest;
    }
}
