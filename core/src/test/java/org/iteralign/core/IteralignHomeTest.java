package org.iteralign.core;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class IteralignHomeTest {
    @Test
    void environmentVariableWinsOverTheDefault() {
        assertEquals(Path.of("/data/iteralign"), IteralignHome.root("/data/iteralign/", "/home/ann"));
    }

    @Test
    void unsetOrBlankFallsBackToTheUserCache() {
        assertEquals(Path.of("/home/ann/.cache/iteralign"), IteralignHome.root(null, "/home/ann"));
        assertEquals(Path.of("/home/ann/.cache/iteralign"), IteralignHome.root("  ", "/home/ann"));
    }

    @Test
    void aRelativeSettingIsMadeAbsolute() {
        assertEquals(Path.of("rel").toAbsolutePath(), IteralignHome.root("rel", "/home/ann"));
    }
}
