package org.iteralign.engine.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.iteralign.engine.chat.ChatTemplate;
import org.iteralign.engine.chat.Message;
import org.iteralign.engine.model.LlamaModel;
import org.iteralign.engine.tokenizer.Tokenizer;
import org.iteralign.engine.tokenizer.Tokenizers;

/**
 * Turns chat examples into token sequences exactly as generation will see them: the model's own chat
 * template, special tokens recognised, BOS as the file says. The reply's span is what the conversation
 * with the reply adds to the prompt rendered with its generation header; it is a target up to and
 * including the end-of-turn token, so the model also learns to stop. What the template puts after
 * that token (a newline in ChatML) is not trained and is dropped.
 */
public final class ChatExampleTokenizer {
    private final Tokenizer tokenizer;
    private final ChatTemplate template;

    public ChatExampleTokenizer(Tokenizer tokenizer, ChatTemplate template) {
        this.tokenizer = tokenizer;
        this.template = template;
    }

    public static ChatExampleTokenizer of(LlamaModel model) {
        Tokenizer tokenizer = Tokenizers.fromGguf(model.gguf());
        return new ChatExampleTokenizer(tokenizer, ChatTemplate.fromGguf(model.gguf(), tokenizer));
    }

    /**
     * @return the sequence cut to {@code maxLength} tokens, or empty when the cut leaves no reply token
     * @throws IllegalArgumentException when the template renders the reply so that the prompt is not a
     *                                  prefix of the whole conversation, in text or in tokens
     */
    public Optional<TrainingExample> tokenize(ChatExample example, int maxLength) {
        String prompt = template.render(example.prompt(), true);
        List<Message> whole = new ArrayList<>(example.prompt());
        whole.add(Message.assistant(example.response()));
        String full = template.render(whole, false);
        if (!full.startsWith(prompt)) {
            throw new IllegalArgumentException("the chat template does not render the prompt as a prefix of the conversation "
                    + "with its reply, so the reply cannot be located");
        }
        int[] promptIds = withBos(tokenizer.encodeWithSpecials(prompt));
        int[] ids = withBos(tokenizer.encodeWithSpecials(full));
        if (ids.length <= promptIds.length || !Arrays.equals(ids, 0, promptIds.length, promptIds, 0, promptIds.length)) {
            throw new IllegalArgumentException("the prompt's tokens are not a prefix of the conversation's tokens");
        }
        int end = promptIds.length;
        while (end < ids.length && !tokenizer.endOfGenerationIds().contains(ids[end])) {
            end++;
        }
        int length = Math.min(Math.min(end + 1, ids.length), maxLength);
        if (length <= promptIds.length) {
            return Optional.empty();
        }
        boolean[] target = new boolean[length];
        Arrays.fill(target, promptIds.length, length, true);
        return Optional.of(new TrainingExample(Arrays.copyOf(ids, length), target));
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public ChatTemplate template() {
        return template;
    }

    private int[] withBos(int[] ids) {
        if (!tokenizer.addBos() || (ids.length > 0 && ids[0] == tokenizer.bosId())) {
            return ids;
        }
        int[] out = new int[ids.length + 1];
        out[0] = tokenizer.bosId();
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }
}
