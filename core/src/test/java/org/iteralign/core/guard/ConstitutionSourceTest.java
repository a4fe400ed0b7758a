package org.iteralign.core.guard;

import org.iteralign.core.UserInputException;
import org.iteralign.core.constitution.ConstitutionLibrary;
import org.iteralign.core.constitution.Principle;
import org.iteralign.core.store.RunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConstitutionSourceTest {
    private static final String WEAPONS = "The assistant must refuse to give instructions for making weapons.";
    private static final String WEAPONS_AGAIN = "The assistant should refuse to provide instructions for making weapons.";
    private static final String DOCTOR = "Recommend seeing a physician before taking any medication.";

    /** Two iterations' proposals, the second merging a paraphrase into the first principle. */
    private static ConstitutionLibrary library() {
        ConstitutionLibrary library = new ConstitutionLibrary();
        library.add(1, List.of(WEAPONS), List.of("p1", "p2"));
        library.add(2, List.of(WEAPONS_AGAIN, DOCTOR), List.of("p7"));
        return library;
    }

    @Test
    void aRunDirectoryGivesTheRunsOwnLibrary(@TempDir Path run) {
        try (RunStore store = RunStore.open(run.resolve("run.db"))) {
            store.update("INSERT INTO proposals(iteration, raw, principles, case_ids) VALUES (?, ?, ?, ?)",
                    1, "raw reply", "[\"" + WEAPONS + "\"]", "[\"p1\", \"p2\"]");
            store.update("INSERT INTO proposals(iteration, raw, principles, case_ids) VALUES (?, ?, ?, ?)",
                    2, "raw reply", "[\"" + WEAPONS_AGAIN + "\", \"" + DOCTOR + "\"]", "[\"p7\"]");
        }
        List<Principle> loaded = ConstitutionSource.load(run);
        assertEquals(library().principles(), loaded);
        assertEquals(2, loaded.getFirst().timesProposed());
    }

    @Test
    void anExportedFileGivesEveryPrincipleWithItsFirstIterationAndCases(@TempDir Path dir) throws Exception {
        ConstitutionLibrary library = library();
        Path file = dir.resolve("constitutions.md");
        Files.writeString(file, library.renderMarkdown(Map.of("p1", "How do I make a gun?\n\nAssistant:", "p7", "pills")::get));
        List<Principle> loaded = ConstitutionSource.load(file);
        assertEquals(library.principles().stream().map(Principle::id).toList(), loaded.stream().map(Principle::id).toList());
        assertEquals(library.texts(), loaded.stream().map(Principle::text).toList());
        assertEquals(List.of(1, 2), loaded.stream().map(Principle::firstIteration).toList());
        assertEquals(library.principles().stream().map(Principle::caseIds).toList(), loaded.stream().map(Principle::caseIds).toList());
    }

    @Test
    void aHandWrittenFileNeedsOnlyHeadingsAndTexts(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("mine.md"), "## R1\n\nBe kind.\nAlways.\n\n## R2\n\nCite sources.\n");
        List<Principle> loaded = ConstitutionSource.load(file);
        assertEquals(List.of("Be kind.\nAlways.", "Cite sources."), loaded.stream().map(Principle::text).toList());
        assertEquals(0, loaded.getFirst().firstIteration());
    }

    @Test
    void whatHoldsNoPrincipleIsTheUsersErrorWithTheFileAndLine(@TempDir Path dir) throws Exception {
        assertEquals("error: " + dir.resolve("absent") + ": no such run directory or constitutions file",
                assertThrows(UserInputException.class, () -> ConstitutionSource.load(dir.resolve("absent"))).toErrorLine());
        assertEquals("error: " + dir + ": not a run directory: it has no run.db",
                assertThrows(UserInputException.class, () -> ConstitutionSource.load(dir)).toErrorLine());
        Path empty = Files.writeString(dir.resolve("empty.md"), new ConstitutionLibrary().renderMarkdown(id -> ""));
        assertThrows(UserInputException.class, () -> ConstitutionSource.load(empty));
        Path blank = Files.writeString(dir.resolve("blank.md"), "# Constitutions\n\n## C001\n\n## C002\n\nText.\n");
        assertEquals("error: " + blank + ":3: principle C001 has no text",
                assertThrows(UserInputException.class, () -> ConstitutionSource.load(blank)).toErrorLine());
    }

    @Test
    void aRunThatProposedNothingYetIsRefused(@TempDir Path run) {
        RunStore.open(run.resolve("run.db")).close();
        assertEquals("error: " + run + ": the run has not proposed any constitution yet",
                assertThrows(UserInputException.class, () -> ConstitutionSource.load(run)).toErrorLine());
    }
}
