package org.iteralign.core.embedded;

import org.iteralign.core.UserInputException;
import org.iteralign.core.model.ChatMessage;
import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.Completion;
import org.iteralign.core.model.CompletionSink;
import org.iteralign.core.model.ModelCallException;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;
import org.iteralign.core.model.ScoreRequest;
import org.iteralign.core.model.ScoringModel;
import org.iteralign.core.model.Usage;
import org.iteralign.engine.ModelFormatException;
import org.iteralign.engine.chat.ChatTemplate;
import org.iteralign.engine.chat.ChatTemplateException;
import org.iteralign.engine.chat.Message;
import org.iteralign.engine.generate.Generation;
import org.iteralign.engine.generate.Generator;
import org.iteralign.engine.generate.Score;
import org.iteralign.engine.generate.Scorer;
import org.iteralign.engine.generate.SamplingParams;
import org.iteralign.engine.generate.StopCondition;
import org.iteralign.engine.model.LlamaModel;
import org.iteralign.engine.tokenizer.Tokenizer;
import org.iteralign.engine.tokenizer.Tokenizers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A model run in this JVM by the pure-Java engine: chat prompts are rendered with the model's own chat
 * template, the whole batch advances together (each weight is read once per step for every sequence), and
 * OpenAI's sampling semantics apply, so the pipeline cannot tell it from a remote server.
 */
public final class EmbeddedChatModel implements ChatModel, ScoringModel {
    private final String id;
    private final LlamaModel model;
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final Generator generator;
    private final Scorer scorer;

    private EmbeddedChatModel(String id, LlamaModel model, Tokenizer tokenizer, ChatTemplate template) {
        this.id = id;
        this.model = model;
        this.tokenizer = tokenizer;
        this.template = template;
        this.generator = new Generator(model);
        this.scorer = new Scorer(model);
    }

    /**
     * Loads a GGUF file or a Hugging Face model folder (its tokenizer.json and tokenizer_config.json give the tokenizer
     * and chat template); a damaged or unsupported file is the user's to fix, reported as {@code FILE: reason}.
     */
    public static EmbeddedChatModel load(String id, Path gguf) {
        LlamaModel model;
        try {
            model = LlamaModel.load(gguf);
        } catch (ModelFormatException e) {
            throw new UserInputException(gguf.toString(), e.reason());
        }
        try {
            if (model.ggufFile().isPresent()) {
                Tokenizer tokenizer = Tokenizers.fromGguf(model.gguf());
                return new EmbeddedChatModel(id, model, tokenizer, ChatTemplate.fromGguf(model.gguf(), tokenizer));
            }
            Tokenizer tokenizer = Tokenizers.fromTokenizerJson(gguf);
            return new EmbeddedChatModel(id, model, tokenizer, ChatTemplate.fromTokenizerConfig(gguf));
        } catch (ModelFormatException e) {
            model.close();
            throw new UserInputException(gguf.toString(), e.reason());
        }
    }

    @Override
    public String id() {
        return id;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public LlamaModel model() {
        return model;
    }

    /** The token ids the model sees for {@code prompt}: the chat template for a conversation, BOS as the file says. */
    public int[] tokenize(Prompt prompt) {
        int[] ids = switch (prompt) {
            case Prompt.Chat chat -> {
                String text;
                try {
                    text = template.render(chat.messages().stream().map(EmbeddedChatModel::message).toList(), true);
                } catch (ChatTemplateException e) {
                    throw new ModelCallException(id + ": the model's chat template failed: " + e.getMessage(), true, e);
                }
                yield tokenizer.encodeWithSpecials(text);
            }
            case Prompt.Raw raw -> tokenizer.encode(raw.text());
        };
        return withBos(ids);
    }

    @Override
    public synchronized void generate(List<Prompt> batch, Sampling sampling, CompletionSink sink) {
        List<int[]> prompts = new ArrayList<>(batch.size());
        int context = model.config().contextLength();
        for (Prompt p : batch) {
            int[] ids = tokenize(p);
            if (ids.length == 0) ids = new int[] {tokenizer.bosId()};
            if (ids.length >= context) {
                throw new ModelCallException(id + ": a prompt of " + ids.length + " tokens does not fit the model's context of "
                        + context + " tokens", true);
            }
            prompts.add(ids);
        }
        SamplingParams params = new SamplingParams((float) sampling.temperature(), (float) sampling.topP(), sampling.topK(),
                (float) sampling.frequencyPenalty(), (float) sampling.presencePenalty(), sampling.seed());
        StopCondition stop = new StopCondition(sampling.maxTokens(), tokenizer.endOfGenerationIds(), sampling.stop(),
                tokenizer::decodePiece);
        List<Generation> outputs = generator.generate(prompts, params, stop);
        for (int i = 0; i < outputs.size(); i++) {
            Generation g = outputs.get(i);
            String text = tokenizer.decode(g.tokens());
            if (g.stopString() != null) {
                int at = text.indexOf(g.stopString());
                if (at >= 0) text = text.substring(0, at);
            }
            String finish = switch (g.finishReason()) {
                case END_OF_GENERATION, STOP_STRING -> "stop";
                case MAX_TOKENS, CONTEXT_FULL -> "length";
            };
            sink.accept(i, new Completion(text, finish, new Usage(prompts.get(i).length, g.tokens().length)));
        }
    }

    @Override
    public synchronized double[] logLikelihood(List<ScoreRequest> batch) {
        List<Score> scores = scorer.logLikelihood(batch.stream().map(this::scoringTokens).toList());
        double[] out = new double[scores.size()];
        for (int i = 0; i < out.length; i++) out[i] = scores.get(i).logLikelihood();
        return out;
    }

    /** Tokens scoring has run through the model so far, after sharing contexts and prefixes. */
    public synchronized long scoringTokensRun() {
        return scorer.tokensRun();
    }

    /**
     * The token ids {@link #logLikelihood} scores for {@code r}, split as lm-evaluation-harness does: the
     * continuation's tokens are those of {@code context + continuation} after the context's own tokens, so a merge
     * across the boundary is scored the way the model would actually read the text.
     */
    public org.iteralign.engine.generate.ScoreRequest scoringTokens(ScoreRequest r) {
        int[] context = withBos(tokenizer.encode(r.context()));
        int[] whole = withBos(tokenizer.encode(r.context() + r.continuation()));
        int split = Math.min(context.length, whole.length - 1);
        return new org.iteralign.engine.generate.ScoreRequest(Arrays.copyOf(whole, split), Arrays.copyOfRange(whole, split, whole.length));
    }

    private int[] withBos(int[] ids) {
        if (!tokenizer.addBos() || (ids.length > 0 && ids[0] == tokenizer.bosId())) return ids;
        int[] out = new int[ids.length + 1];
        out[0] = tokenizer.bosId();
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    private static Message message(ChatMessage m) {
        return new Message(m.role().name().toLowerCase(), m.content());
    }

    @Override
    public void close() {
        model.close();
    }
}
