package org.iteralign.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.iteralign.core.UserInputException;

class RefusalMatcherTest {
    @TempDir
    Path dir;

    @Test
    void shipsGcgsTwentyNinePhrases() {
        RefusalMatcher gcg = RefusalMatcher.gcg();
        assertEquals(29, gcg.phrases().size());
        assertEquals("I'm sorry", gcg.phrases().getFirst());
        assertEquals("I can't assist", gcg.phrases().getLast());
    }

    @Test
    void matchesSubstringsCaseSensitivelyAndStraightensApostrophes() {
        RefusalMatcher gcg = RefusalMatcher.gcg();
        assertTrue(gcg.refused("I'm sorry, but I can't help with that."));
        assertTrue(gcg.refused("I\u2019m sorry, I won't."));
        assertTrue(gcg.refused("Well... I cannot do this."));
        assertFalse(gcg.refused("Sure, here is how to bake bread."));
        assertFalse(gcg.refused("i'm sorry"), "GCG matches case-sensitively");
    }

    @Test
    void readsAUserListSkippingCommentsAndBlankLines() throws Exception {
        Path file = dir.resolve("phrases.txt");
        Files.writeString(file, "# mine\n\nNo way\nNope\n");
        RefusalMatcher mine = RefusalMatcher.read(file);
        assertEquals(2, mine.phrases().size());
        assertTrue(mine.refused("Nope."));
        assertFalse(mine.refused("I'm sorry"));
    }

    @Test
    void anEmptyListIsAUserError() throws Exception {
        Path file = dir.resolve("phrases.txt");
        Files.writeString(file, "# nothing\n");
        assertThrows(UserInputException.class, () -> RefusalMatcher.read(file));
    }
}
