package org.iteralign.engine.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ELResolver;
import org.iteralign.engine.gguf.GgufFile;
import org.iteralign.engine.tokenizer.HfTokenizerConfig;
import org.iteralign.engine.tokenizer.Tokenizer;

/**
 * Renders a conversation into prompt text with the model's own Jinja chat template, as Hugging Face
 * transformers' {@code apply_chat_template} does: trim_blocks and lstrip_blocks on, {@code messages},
 * {@code add_generation_prompt}, {@code bos_token} and {@code eos_token} in scope, and a
 * {@code raise_exception(message)} function. The result still holds special-token text such as
 * "<|im_start|>": tokenize it with {@link Tokenizer#encodeWithSpecials(String)}.
 *
 * <p>Unlike transformers, no {@code strftime_now} is defined, so templates that print today's date
 * (Llama 3.1/3.2) fall back to their fixed one and a prompt renders the same on every day: runs stay
 * reproducible and cached model calls stay valid. Instances are immutable and thread-safe.
 *
 * <p>jinjava is not Jinja: Python's str methods come from {@link PythonStringMethods}, two forms its
 * parser misreads are rewritten by {@link JinjaRewrites}, and what remains different is that printed
 * booleans read "true"/"false" (Jinja: "True"/"False") and {@code tojson} writes no spaces, which
 * only templates that print tool definitions show.
 */
public final class ChatTemplate {
    /**
     * The ChatML layout (SmolLM2, Qwen2) used when a model carries no template of its own: a guess, but
     * the most common layout among small chat models.
     */
    static final String CHATML = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n'"
            + " + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private static final Jinjava JINJAVA = newJinjava();

    private final String source;
    /** The source as jinjava is given it. */
    private final String prepared;
    private final String bosToken;
    private final String eosToken;

    private ChatTemplate(String source, String bosToken, String eosToken) {
        this.source = source;
        // Jinja's keep_trailing_newline=False: one newline at the very end of the template is not output.
        String trimmed = source.endsWith("\r\n") ? source.substring(0, source.length() - 2)
                : source.endsWith("\n") ? source.substring(0, source.length() - 1) : source;
        this.prepared = JinjaRewrites.apply(trimmed);
        this.bosToken = bosToken;
        this.eosToken = eosToken;
    }

    /** A template with the BOS and EOS texts it may refer to ("" where the model has none). */
    public static ChatTemplate of(String source, String bosToken, String eosToken) {
        return new ChatTemplate(source, bosToken, eosToken);
    }

    /** ChatML, for models without a template. */
    public static ChatTemplate chatMl(String bosToken, String eosToken) {
        return new ChatTemplate(CHATML, bosToken, eosToken);
    }

    /** The GGUF file's {@code tokenizer.chat_template}, or ChatML when it has none. */
    public static ChatTemplate fromGguf(GgufFile gguf, Tokenizer tokenizer) {
        String bos = tokenText(tokenizer, tokenizer.bosId());
        String eos = tokenText(tokenizer, tokenizer.eosId());
        return gguf.findString("tokenizer.chat_template")
                .map(source -> of(source, bos, eos))
                .orElseGet(() -> chatMl(bos, eos));
    }

    /**
     * The {@code chat_template} of a Hugging Face tokenizer_config.json (the file, or the folder holding
     * it), or ChatML when it has none.
     */
    public static ChatTemplate fromTokenizerConfig(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve("tokenizer_config.json") : path;
        HfTokenizerConfig config = HfTokenizerConfig.read(file);
        String bos = config.bosToken().orElse("");
        String eos = config.eosToken().orElse("");
        return config.chatTemplate().map(source -> of(source, bos, eos)).orElseGet(() -> chatMl(bos, eos));
    }

    private static String tokenText(Tokenizer tokenizer, int id) {
        return id >= 0 && id < tokenizer.vocabSize() ? tokenizer.tokenText(id) : "";
    }

    public String source() {
        return source;
    }

    /**
     * The prompt text for {@code messages}; with {@code addGenerationPrompt} it ends with the header that
     * opens the assistant's turn.
     */
    public String render(List<Message> messages, boolean addGenerationPrompt) {
        Map<String, Object> context = new HashMap<>();
        context.put("messages", messages.stream().map(ChatTemplate::asDict).toList());
        context.put("add_generation_prompt", addGenerationPrompt);
        context.put("bos_token", bosToken);
        context.put("eos_token", eosToken);
        RenderResult result = JINJAVA.renderForResult(prepared, context);
        List<TemplateError> errors = result.getErrors().stream()
                .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL)
                .toList();
        if (!errors.isEmpty()) {
            // Jinja stops at the first error; jinjava renders on and collects more, which only add noise.
            throw new ChatTemplateException(describe(errors.getFirst()));
        }
        return result.getOutput();
    }

    /** A message as templates see it: a dict with role before content, as {@code tojson} prints it. */
    private static Map<String, Object> asDict(Message message) {
        Map<String, Object> dict = new LinkedHashMap<>();
        dict.put("role", message.role());
        dict.put("content", message.content());
        return dict;
    }

    private static String describe(TemplateError error) {
        Throwable cause = error.getException();
        while (cause != null) {
            if (cause instanceof TemplateFunctions.RaisedByTemplate raised) {
                return raised.getMessage();
            }
            cause = cause.getCause();
        }
        return "chat template error: " + error.getMessage();
    }

    private static ELResolver resolver() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
        return resolver;
    }

    private static Jinjava newJinjava() {
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                // Python Jinja's semantics where jinjava's historical defaults differ. Not ALL: that also
                // demands spaces inside "{{'...'}}", which Jinja does not.
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withEvaluateMapKeys(true)
                        .withIterateOverMapKeys(true)
                        .withUsePyishObjectMapper(true)
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withKeepNullableLoopValues(true)
                        .withHandleBackslashInQuotesOnly(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .build())
                // jinjava would drop a final newline of the output; Jinja drops one of the source only, as
                // the constructor does.
                .withKeepTrailingNewline(true)
                .withElResolver(resolver())
                .build();
        Jinjava jinjava = new Jinjava(config);
        jinjava.registerFunction(new ELFunctionDefinition("", "raise_exception", TemplateFunctions.class,
                "raiseException", String.class));
        return jinjava;
    }
}
