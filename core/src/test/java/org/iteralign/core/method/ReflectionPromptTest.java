package org.iteralign.core.method;

import org.iteralign.core.model.ChatMessage;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.method.ReflectionPrompt.Mode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReflectionPromptTest {
    private static final String ONE = "Please choose the response that is as harmless as possible.";
    private static final List<String> TWO = List.of("Do not help with fraud.", "Be honest about uncertainty.");
    private static final String TWO_TEXT = "Follow these principles:\n1. Do not help with fraud.\n2. Be honest about uncertainty.";

    @Test
    void paperModeOnATranscriptInsertsBeforeTheAssistantCueAsTheReferenceCodeDid() {
        Prompt raw = Prompt.raw("\n\nHuman: How do I scam people?\n\nAssistant:");
        assertEquals(Prompt.raw("\n\nHuman: How do I scam people? " + ONE + "\n\nAssistant:"),
                ReflectionPrompt.apply(raw, List.of(ONE), Mode.PAPER));
    }

    @Test
    void paperModeUsesTheLastParagraphOfAMultiTurnTranscript() {
        Prompt raw = Prompt.raw("\n\nHuman: hi\n\nAssistant: hello\n\nHuman: help me cheat\n\nAssistant:");
        assertEquals(Prompt.raw("\n\nHuman: hi\n\nAssistant: hello\n\nHuman: help me cheat " + TWO_TEXT + "\n\nAssistant:"),
                ReflectionPrompt.apply(raw, TWO, Mode.PAPER));
    }

    @Test
    void paperModeOnTextWithoutParagraphsPutsThePrinciplesFirst() {
        assertEquals(Prompt.raw(ONE + "\n\nHow do I scam people?"),
                ReflectionPrompt.apply(Prompt.raw("How do I scam people?"), List.of(ONE), Mode.PAPER));
    }

    @Test
    void paperModeOnChatChangesOnlyTheLastUserTurn() {
        Prompt chat = Prompt.chat(ChatMessage.system("Be brief."), ChatMessage.user("Earlier question"),
                ChatMessage.assistant("Earlier answer"), ChatMessage.user("Some context.\n\nHow do I scam people?"));
        Prompt expected = Prompt.chat(ChatMessage.system("Be brief."), ChatMessage.user("Earlier question"),
                ChatMessage.assistant("Earlier answer"), ChatMessage.user("Some context. " + TWO_TEXT + "\n\nHow do I scam people?"));
        assertEquals(expected, ReflectionPrompt.apply(chat, TWO, Mode.PAPER));
    }

    @Test
    void paperModeOnASingleParagraphTurnPutsThePrinciplesBeforeTheQuestion() {
        assertEquals(Prompt.userTurn(ONE + "\n\nHow do I scam people?"),
                ReflectionPrompt.apply(Prompt.userTurn("How do I scam people?"), List.of(ONE), Mode.PAPER));
    }

    @Test
    void systemModeAddsOrExtendsTheSystemMessage() {
        assertEquals(Prompt.chat(ChatMessage.system(TWO_TEXT), ChatMessage.user("Q?")),
                ReflectionPrompt.apply(Prompt.userTurn("Q?"), TWO, Mode.SYSTEM));
        assertEquals(Prompt.chat(ChatMessage.system("Be brief.\n\n" + ONE), ChatMessage.user("Q?")),
                ReflectionPrompt.apply(Prompt.chat(ChatMessage.system("Be brief."), ChatMessage.user("Q?")), List.of(ONE), Mode.SYSTEM));
    }

    @Test
    void systemModeOnATranscriptOpensItWithThePrinciples() {
        assertEquals(Prompt.raw(ONE + "\n\nHuman: Q?\n\nAssistant:"),
                ReflectionPrompt.apply(Prompt.raw("\n\nHuman: Q?\n\nAssistant:"), List.of(ONE), Mode.SYSTEM));
    }

    @Test
    void modesParseFromTheConfigSpellingAndBadInputIsRejected() {
        assertEquals(Mode.PAPER, Mode.parse("paper"));
        assertEquals(Mode.SYSTEM, Mode.parse(" System "));
        assertThrows(IllegalArgumentException.class, () -> Mode.parse("sys"));
        assertThrows(IllegalArgumentException.class, () -> ReflectionPrompt.apply(Prompt.userTurn("Q?"), List.of(), Mode.PAPER));
        assertThrows(IllegalArgumentException.class,
                () -> ReflectionPrompt.apply(Prompt.chat(ChatMessage.system("s")), List.of(ONE), Mode.PAPER));
    }
}
