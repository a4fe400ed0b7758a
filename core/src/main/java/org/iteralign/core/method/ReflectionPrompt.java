package org.iteralign.core.method;

import org.iteralign.core.model.ChatMessage;
import org.iteralign.core.model.Prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Constitution-induced self-reflection: the red-team prompt with principles added, for the target model to
 * answer again with the same sampling settings.
 *
 * <p>The principles are rendered by {@link #constitutionText}: a single principle as it is (exactly what
 * the reference code inserted), several as {@value #LEAD_IN} and a numbered list.
 */
public final class ReflectionPrompt {
    public static final String LEAD_IN = "Follow these principles:";

    public enum Mode {
        /**
         * The reference code's rule: the principles go just before the text's last {@code "\n\n"} paragraph,
         * joined to the paragraph before it by one space. For an hh-rlhf transcript that is right after the
         * human's last words and before {@code "\n\nAssistant:"}. For a chat prompt the same rule applies to
         * the last user turn, where the last paragraph is usually the question itself; a turn of a single
         * paragraph gets the principles as a paragraph of their own in front of it, so the rule stays "before
         * the last paragraph" in every case.
         */
        PAPER,
        /**
         * The principles become the system message (appended to an existing one). A raw transcript has no
         * system slot, so they become its opening paragraph.
         */
        SYSTEM;

        /** The config's spelling: {@code paper} or {@code system}. */
        public static Mode parse(String name) {
            for (Mode m : values()) if (m.name().equals(name.strip().toUpperCase(Locale.ROOT))) return m;
            throw new IllegalArgumentException("unknown self-reflection mode '" + name + "': expected paper or system");
        }
    }

    private ReflectionPrompt() {}

    public static Prompt apply(Prompt prompt, List<String> principles, Mode mode) {
        if (principles.isEmpty()) throw new IllegalArgumentException("self-reflection needs at least one principle");
        String text = constitutionText(principles);
        return switch (prompt) {
            case Prompt.Raw raw -> new Prompt.Raw(mode == Mode.PAPER
                    ? beforeLastParagraph(raw.text(), text)
                    : text + "\n\n" + raw.text().stripLeading());
            case Prompt.Chat chat -> new Prompt.Chat(mode == Mode.PAPER
                    ? inLastUserTurn(chat.messages(), text)
                    : inSystemMessage(chat.messages(), text));
        };
    }

    public static String constitutionText(List<String> principles) {
        if (principles.size() == 1) return principles.getFirst().strip();
        StringBuilder text = new StringBuilder(LEAD_IN);
        for (int i = 0; i < principles.size(); i++) text.append('\n').append(i + 1).append(". ").append(principles.get(i).strip());
        return text.toString();
    }

    static String beforeLastParagraph(String text, String insertion) {
        int last = text.lastIndexOf("\n\n");
        if (last < 0) return insertion + "\n\n" + text;
        String head = text.substring(0, last);
        return (head.isBlank() ? head : head + " ") + insertion + text.substring(last);
    }

    private static List<ChatMessage> inLastUserTurn(List<ChatMessage> messages, String text) {
        List<ChatMessage> out = new ArrayList<>(messages);
        for (int i = out.size() - 1; i >= 0; i--) {
            if (out.get(i).role() == ChatMessage.Role.USER) {
                out.set(i, ChatMessage.user(beforeLastParagraph(out.get(i).content(), text)));
                return out;
            }
        }
        throw new IllegalArgumentException("a chat prompt without a user turn cannot be revised");
    }

    private static List<ChatMessage> inSystemMessage(List<ChatMessage> messages, String text) {
        List<ChatMessage> out = new ArrayList<>(messages);
        if (out.getFirst().role() == ChatMessage.Role.SYSTEM) {
            out.set(0, ChatMessage.system(out.getFirst().content() + "\n\n" + text));
        } else {
            out.addFirst(ChatMessage.system(text));
        }
        return out;
    }
}
