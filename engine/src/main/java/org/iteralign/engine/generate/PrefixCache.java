package org.iteralign.engine.generate;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.function.Supplier;
import org.iteralign.engine.model.KvCache;

/**
 * The KV caches of the last few scoring contexts, so that a new context starting with the same tokens (an
 * evaluation's few-shot preamble, the two orders of one A/B question) only runs the tokens after the shared part.
 * Holds at most {@link #MAX_ENTRIES} caches and, beyond the newest, no more than {@code budgetBytes} in all.
 */
final class PrefixCache {
    static final int MAX_ENTRIES = 4;

    private record Entry(int[] tokens, KvCache cache) {}

    /** A copy of the cached keys and values for the first {@code length} tokens of a context. */
    record Hit(int length, KvCache cache) {}

    private final Deque<Entry> entries = new ArrayDeque<>();
    private final long budgetBytes;

    PrefixCache(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    /**
     * The longest cached prefix of {@code context}, leaving at least its last token to run (its logits are
     * needed); a fresh cache from {@code empty} when nothing matches.
     */
    Hit longestPrefix(int[] context, Supplier<KvCache> empty) {
        Entry best = null;
        int bestLength = 0;
        for (Entry e : entries) {
            int n = commonPrefix(e.tokens(), context, context.length - 1);
            if (n > bestLength) {
                best = e;
                bestLength = n;
            }
        }
        if (best == null) return new Hit(0, empty.get());
        entries.remove(best);
        entries.addFirst(best);
        return new Hit(bestLength, best.cache().copy(bestLength));
    }

    /** Keeps {@code cache}, which holds exactly {@code context}; the caller must not change it afterwards. */
    void put(int[] context, KvCache cache) {
        entries.addFirst(new Entry(context.clone(), cache));
        long bytes = 0;
        int kept = 0;
        for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            bytes += e.cache().allocatedBytes();
            if (kept > 0 && (kept >= MAX_ENTRIES || bytes > budgetBytes)) {
                it.remove();
            } else {
                kept++;
            }
        }
    }

    private static int commonPrefix(int[] a, int[] b, int limit) {
        int n = Math.min(limit, Math.min(a.length, b.length));
        int i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i;
    }
}
