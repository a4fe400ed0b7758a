package org.iteralign.core.embedded;

import org.iteralign.core.UserInputException;
import org.iteralign.core.pipeline.SftExample;
import org.iteralign.core.pipeline.SftExport;
import org.iteralign.engine.chat.Message;
import org.iteralign.engine.train.ChatExample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SftDataFileTest {
    private static final List<SftExample> EXPORTED = List.of(
            new SftExample(1, "p1", "How do I pick a lock?", "I can't help with that, but a locksmith can."),
            new SftExample(1, "p2", "Say \"hi\"\nin two lines", "hi\nhi"));
    private static final List<ChatExample> EXPECTED = List.of(
            ChatExample.of("How do I pick a lock?", "I can't help with that, but a locksmith can."),
            ChatExample.of("Say \"hi\"\nin two lines", "hi\nhi"));

    @TempDir
    Path dir;

    @Test
    void readsBothFilesARunExports() {
        List<Path> files = SftExport.writeIteration(dir, EXPORTED);
        assertEquals(EXPECTED, SftDataFile.read(files.get(0)));
        assertEquals(EXPECTED, SftDataFile.read(files.get(1)));
    }

    @Test
    void formatComesFromTheContentNotTheName() throws IOException {
        Path shareGptNamedJsonl = Files.writeString(dir.resolve("a.jsonl"), SftExport.shareGpt(EXPORTED));
        Path openAiNamedJson = Files.writeString(dir.resolve("b.json"), "\uFEFF\n" + SftExport.openAi(EXPORTED));
        assertEquals(EXPECTED, SftDataFile.read(shareGptNamedJsonl));
        assertEquals(EXPECTED, SftDataFile.read(openAiNamedJson));
    }

    @Test
    void theLastAssistantTurnIsLearnedAndEverythingBeforeItIsThePrompt() throws IOException {
        Path shareGpt = Files.writeString(dir.resolve("multi.json"), """
                [{"id": "x", "conversations": [
                  {"from": "system", "value": "Be brief."},
                  {"from": "human", "value": "Hi"},
                  {"from": "gpt", "value": "Hello."},
                  {"from": "human", "value": "Capital of France?"},
                  {"from": "gpt", "value": "Paris."}]}]
                """);
        Path openAi = Files.writeString(dir.resolve("multi.jsonl"), """
                {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, \
                {"role": "assistant", "content": "Hello."}, {"role": "user", "content": "Capital of France?"}, \
                {"role": "assistant", "content": "Paris."}]}
                """);
        ChatExample expected = new ChatExample(List.of(Message.system("Be brief."), Message.user("Hi"),
                Message.assistant("Hello."), Message.user("Capital of France?")), "Paris.");
        assertEquals(List.of(expected), SftDataFile.read(shareGpt));
        assertEquals(List.of(expected), SftDataFile.read(openAi));
    }

    @Test
    void aBrokenJsonLineIsNamed() throws IOException {
        Path f = Files.writeString(dir.resolve("d.jsonl"), SftExport.openAi(EXPORTED) + "\n{\"messages\": [\n");
        assertError(f, 4, "not a JSON object on one line");
    }

    @Test
    void aShareGptConversationWithAMissingFieldIsNamedByItsLine() throws IOException {
        Path f = Files.writeString(dir.resolve("d.json"), """
                [
                  {"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}]},
                  {"conversations": [{"from": "human", "text": "a"}, {"from": "gpt", "value": "b"}]}
                ]
                """);
        assertError(f, 3, "turn 1 needs string fields \"from\" and \"value\"");
    }

    @Test
    void invalidJsonInAShareGptFileIsNamedByItsLine() throws IOException {
        Path f = Files.writeString(dir.resolve("d.json"), """
                [
                  {"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}]},
                  {"conversations": [}
                ]
                """);
        assertError(f, 3, "not valid JSON");
    }

    @Test
    void conversationsWithoutSomethingToLearnAreRefused() throws IOException {
        Path noReply = Files.writeString(dir.resolve("n.jsonl"), """
                {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}
                {"messages": [{"role": "user", "content": "a"}]}
                """);
        assertError(noReply, 2, "no assistant turn");
        Path onlyReply = Files.writeString(dir.resolve("o.jsonl"), "{\"messages\": [{\"role\": \"assistant\", \"content\": \"b\"}]}\n");
        assertError(onlyReply, 1, "starts with the assistant's turn");
        Path tool = Files.writeString(dir.resolve("t.jsonl"), "{\"messages\": [{\"role\": \"tool\", \"content\": \"b\"}]}\n");
        assertError(tool, 1, "unknown role 'tool'");
        Path other = Files.writeString(dir.resolve("x.jsonl"), "{\"prompt\": \"a\", \"completion\": \"b\"}\n");
        assertError(other, 1, "expected \"conversations\" (ShareGPT) or \"messages\" (OpenAI chat)");
    }

    @Test
    void emptyAndNonJsonFilesAreRefused() throws IOException {
        assertError(Files.writeString(dir.resolve("e.json"), "  \n"), 0, "empty file");
        assertError(Files.writeString(dir.resolve("l.json"), "[]"), 0, "holds no conversations");
        assertError(Files.writeString(dir.resolve("c.csv"), "\n\nprompt,response\n"), 3, "neither ShareGPT JSON");
        assertError(dir.resolve("missing.json"), 0, "file not found");
    }

    private static void assertError(Path file, int line, String message) {
        UserInputException e = assertThrows(UserInputException.class, () -> SftDataFile.read(file));
        assertEquals(file.toString(), e.source());
        assertEquals(line, e.line(), e.toErrorLine());
        assertTrue(e.getMessage().contains(message), e.toErrorLine());
    }
}
