package org.iteralign.engine.chat;

import org.iteralign.engine.json.Json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Model templates rendered to the strings Python's jinja2 gives with transformers' settings, recorded by
 * src/test/python/chat_template_fixtures.py into expected-renderings.json.
 */
class ChatTemplateTest {
    record Case(String template, String bosToken, String eosToken, String conversation, boolean addGenerationPrompt,
                String expected, String error) {
        @Override
        public String toString() {
            return template + " / " + conversation + (addGenerationPrompt ? " + generation prompt" : "");
        }
    }

    private static Map<String, Object> fixtures;

    @SuppressWarnings("unchecked")
    private static synchronized Map<String, Object> fixtures() throws IOException {
        if (fixtures == null) {
            fixtures = (Map<String, Object>) Json.parse(resource("expected-renderings.json"));
        }
        return fixtures;
    }

    static String resource(String name) throws IOException {
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @SuppressWarnings("unchecked")
    static Stream<Case> cases() throws IOException {
        List<Case> cases = new ArrayList<>();
        for (Object o : (List<Object>) fixtures().get("cases")) {
            Map<String, Object> c = (Map<String, Object>) o;
            cases.add(new Case((String) c.get("template"), (String) c.get("bos_token"), (String) c.get("eos_token"),
                    (String) c.get("conversation"), (Boolean) c.get("add_generation_prompt"),
                    (String) c.get("expected"), (String) c.get("error")));
        }
        return cases.stream();
    }

    @SuppressWarnings("unchecked")
    static List<Message> conversation(String name) throws IOException {
        Map<String, Object> conversations = (Map<String, Object>) fixtures().get("conversations");
        return ((List<Object>) conversations.get(name)).stream()
                .map(m -> (Map<String, Object>) m)
                .map(m -> new Message((String) m.get("role"), (String) m.get("content")))
                .toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersLikeTransformers(Case c) throws IOException {
        ChatTemplate template = ChatTemplate.of(resource(c.template() + ".jinja"), c.bosToken(), c.eosToken());
        List<Message> messages = conversation(c.conversation());
        if (c.error() != null) {
            ChatTemplateException e = assertThrows(ChatTemplateException.class,
                    () -> template.render(messages, c.addGenerationPrompt()));
            assertEquals(c.error(), e.getMessage());
        } else {
            assertEquals(c.expected(), template.render(messages, c.addGenerationPrompt()));
        }
    }

    @Test
    void modelsWithoutATemplateGetChatMl() {
        ChatTemplate template = ChatTemplate.chatMl("<s>", "</s>");
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
                template.render(List.of(Message.system("Be brief."), Message.user("Hi")), true));
    }

    @Test
    void readsTheDefaultOfNamedTemplatesFromTokenizerConfig(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"bos_token": "<s>", "eos_token": {"content": "</s>"},
                 "chat_template": [{"name": "tool_use", "template": "tools"},
                                   {"name": "default", "template": "{{ bos_token }}{{ messages[0].content }}{{ eos_token }}"}]}""");
        assertEquals("<s>Hi</s>", ChatTemplate.fromTokenizerConfig(dir).render(List.of(Message.user("Hi")), false));

        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
        assertEquals(ChatTemplate.CHATML, ChatTemplate.fromTokenizerConfig(dir.resolve("tokenizer_config.json")).source());
    }

    @Test
    void reportsTemplateSyntaxErrors() {
        ChatTemplate broken = ChatTemplate.of("{% for message in messages %}{{ message.role }", "", "");
        ChatTemplateException e = assertThrows(ChatTemplateException.class,
                () -> broken.render(List.of(Message.user("Hi")), false));
        assertTrue(e.getMessage().startsWith("chat template error"), e.getMessage());
    }
}
