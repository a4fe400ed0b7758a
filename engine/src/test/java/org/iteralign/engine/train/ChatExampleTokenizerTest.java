package org.iteralign.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.iteralign.engine.TestModels;
import org.iteralign.engine.chat.Message;
import org.iteralign.engine.model.LlamaModel;
import org.junit.jupiter.api.Test;

/** Training sequences on SmolLM2's own chat template: the prompt exactly as generation sends it, the reply as targets. */
class ChatExampleTokenizerTest {
    @Test
    void promptIsWhatGenerationSeesAndTheReplyWithEndOfTurnIsTheTarget() {
        try (LlamaModel model = LlamaModel.load(TestModels.smolLm2())) {
            ChatExampleTokenizer chat = ChatExampleTokenizer.of(model);
            ChatExample example = ChatExample.of("What is 2 + 2?", "2 + 2 is 4.");
            TrainingExample e = chat.tokenize(example, 512).orElseThrow();
            int[] prompt = chat.tokenizer().encodeWithSpecials(chat.template().render(List.of(Message.user("What is 2 + 2?")), true));
            int[] tokens = e.tokens();
            assertArrayEquals(prompt, Arrays.copyOf(tokens, prompt.length));
            StringBuilder targets = new StringBuilder();
            for (int i = 0; i < tokens.length; i++) {
                assertEquals(i >= prompt.length, e.target()[i], "token " + i);
                if (e.target()[i]) {
                    targets.append(chat.tokenizer().decode(new int[] {tokens[i]}));
                }
            }
            assertEquals("2 + 2 is 4.<|im_end|>", targets.toString());
            assertTrue(chat.tokenizer().endOfGenerationIds().contains(tokens[tokens.length - 1]));

            TrainingExample cut = chat.tokenize(example, prompt.length + 2).orElseThrow();
            assertEquals(prompt.length + 2, cut.length());
            assertEquals(2, cut.targetCount());
            assertTrue(chat.tokenize(example, prompt.length).isEmpty());
        }
    }
}
