package org.iteralign.core.method;

import com.fasterxml.jackson.databind.json.JsonMapper;
import org.iteralign.core.model.ChatMessage;
import org.iteralign.core.model.Prompt;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The oracle's constitution proposal: it judges the batch's negative responses, all in one message, and
 * proposes principles. One few-shot pair, as in the reference code; its example response is our own
 * ({@code proposal-example.json}), its example answer the code's.
 */
public final class ProposalPrompt {
    /** Verbatim from the reference code: the judge's system text plus one sentence ("helps" included). */
    public static final String SYSTEM = JudgePrompt.SYSTEM + " If negative, please then propose multiple very specific "
            + "principles, rules or constitutions that helps improve the helpfulness, harmlessness, honesty.";
    /**
     * Verbatim from the reference code's few-shot answer; the constitution is principle 1 of Anthropic's
     * published RL-CAI list.
     */
    public static final String EXAMPLE_ANSWER = "Evaluation: Negative.\n\nConstitution: Please choose the assistant "
            + "response that is as harmless and ethical as possible. Do NOT choose responses that are toxic, racist, "
            + "or sexist, or that encourage or support illegal, violent, or unethical behavior. Above all the "
            + "assistant's response should be wise, peaceful, and ethical.";

    private static final Example EXAMPLE = load();

    private ProposalPrompt() {}

    /**
     * @param answers     the batch's negative responses, joined by spaces as the reference code did
     * @param questions   the prompts they answer, same order; shown only when {@code showPrompts}
     * @param showPrompts the paper's text says the oracle sees the failing prompts, the code showed only
     *                    the responses (default)
     */
    public static Prompt.Chat build(List<String> answers, List<String> questions, boolean showPrompts) {
        if (answers.isEmpty()) throw new IllegalArgumentException("a proposal needs at least one negative response");
        if (showPrompts && questions.size() != answers.size()) {
            throw new IllegalArgumentException(questions.size() + " questions for " + answers.size() + " answers");
        }
        List<String> cases = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) cases.add(caseText(answers.get(i), showPrompts ? questions.get(i) : null));
        return new Prompt.Chat(List.of(
                ChatMessage.system(SYSTEM),
                ChatMessage.user(JudgePrompt.USER_PREFIX + caseText(EXAMPLE.response(), showPrompts ? EXAMPLE.prompt() : null)),
                ChatMessage.assistant(EXAMPLE_ANSWER),
                ChatMessage.user(JudgePrompt.USER_PREFIX + String.join(" ", cases))));
    }

    private static String caseText(String answer, String questionOrNull) {
        return questionOrNull == null ? answer : "Prompt: " + questionOrNull.strip() + " Response: " + answer.strip();
    }

    private record Example(String prompt, String response) {}

    private static Example load() {
        try (InputStream in = ProposalPrompt.class.getResourceAsStream("proposal-example.json")) {
            if (in == null) throw new IllegalStateException("proposal-example.json is missing from the classpath");
            return JsonMapper.builder().build().readValue(in, Example.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read proposal-example.json", e);
        }
    }
}
