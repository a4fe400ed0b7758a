package org.iteralign.core.eval;

import java.nio.file.Path;
import java.util.Map;

/**
 * What {@link EvalSuites#create} builds suites from: {@code limit} (first N items of every suite, 0 for all),
 * data paths by suite name or dataset name ({@code truthfulqa}, {@code bigbench-hhh}), the cache that
 * {@code iteralign datasets pull} fills ({@code <cacheRoot>/datasets/<name>/}), the Dromedary frame of the
 * true/false and A/B suites, the refusal phrases and the generation settings.
 */
public record EvalSettings(int limit, Map<String, Path> data, Path cacheRoot, DromedaryFrame frame,
                           RefusalMatcher refusals, ResponseSettings responses) {
    public EvalSettings {
        data = Map.copyOf(data);
        if (limit < 0) throw new IllegalArgumentException("limit must not be negative");
    }

    /** Every default: all items, data from the cache only, standard frame, GCG refusal phrases, greedy answers. */
    public static EvalSettings defaults(Path cacheRoot) {
        return new EvalSettings(0, Map.of(), cacheRoot, DromedaryFrame.standard(), RefusalMatcher.gcg(), ResponseSettings.defaults());
    }
}
