package org.iteralign.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.iteralign.engine.model.KvCache;
import org.iteralign.engine.model.LlamaModel;
import org.iteralign.engine.model.TinyModelTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrefixCacheTest {
    @TempDir
    Path dir;

    @Test
    void findsTheLongestSharedPrefixButAlwaysLeavesTheLastTokenToRun() throws IOException {
        try (LlamaModel model = LlamaModel.load(TinyModelTest.write(TinyModelTest.randomSpec("llama", true, false, 23),
                dir.resolve("m.gguf")))) {
            PrefixCache cache = new PrefixCache(Long.MAX_VALUE);
            cache.put(new int[] {1, 2, 3}, filled(model, 1, 2, 3));
            cache.put(new int[] {1, 2, 9, 9}, filled(model, 1, 2, 9, 9));
            cache.put(new int[] {7, 7}, filled(model, 7, 7));

            PrefixCache.Hit hit = cache.longestPrefix(new int[] {1, 2, 3, 4}, model::newCache);
            assertEquals(3, hit.length());
            assertEquals(3, hit.cache().length());
            assertEquals(2, cache.longestPrefix(new int[] {1, 2, 3}, model::newCache).length());
            assertEquals(2, cache.longestPrefix(new int[] {1, 2, 9}, model::newCache).length());
            KvCache empty = model.newCache();
            PrefixCache.Hit miss = cache.longestPrefix(new int[] {8, 1}, () -> empty);
            assertEquals(0, miss.length());
            assertSame(empty, miss.cache());
        }
    }

    @Test
    void keepsAtMostFourEntriesAndAlwaysTheNewest() throws IOException {
        try (LlamaModel model = LlamaModel.load(TinyModelTest.write(TinyModelTest.randomSpec("llama", true, false, 24),
                dir.resolve("m.gguf")))) {
            PrefixCache cache = new PrefixCache(Long.MAX_VALUE);
            for (int t = 1; t <= 5; t++) cache.put(new int[] {t, t}, filled(model, t, t));
            assertEquals(0, cache.longestPrefix(new int[] {1, 1, 1}, model::newCache).length(), "the oldest is gone");
            for (int t = 2; t <= 5; t++) assertEquals(2, cache.longestPrefix(new int[] {t, t, 0}, model::newCache).length());

            PrefixCache tiny = new PrefixCache(0);
            tiny.put(new int[] {1, 1}, filled(model, 1, 1));
            KvCache newest = filled(model, 2, 2);
            tiny.put(new int[] {2, 2}, newest);
            assertEquals(0, tiny.longestPrefix(new int[] {1, 1, 1}, model::newCache).length(), "over budget");
            PrefixCache.Hit hit = tiny.longestPrefix(new int[] {2, 2, 2}, model::newCache);
            assertEquals(2, hit.length());
            assertNotSame(newest, hit.cache(), "a hit is a copy the caller may extend");
        }
    }

    private static KvCache filled(LlamaModel model, int... tokens) {
        KvCache cache = model.newCache();
        model.forward(List.of(cache), List.of(tokens), LlamaModel.Logits.LAST);
        return cache;
    }
}
