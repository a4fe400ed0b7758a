package org.iteralign.engine.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.iteralign.engine.gguf.GgufFile;
import org.iteralign.engine.tokenizer.Tokenizer;
import org.iteralign.engine.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;

/** The real test model's own template, read from its GGUF file, rendered and tokenized. */
class ChatTemplateGgufTest {
    @Test
    void rendersAndTokenizesSmolLm2sOwnTemplate() throws IOException {
        String path = System.getProperty("iteralign.testModel", "");
        assumeTrue(!path.isBlank() && Files.isRegularFile(Path.of(path)),
                "set -Diteralign.testModel to the SmolLM2-135M-Instruct GGUF to run this test");
        try (GgufFile gguf = GgufFile.open(Path.of(path))) {
            Tokenizer tokenizer = Tokenizers.fromGguf(gguf);
            ChatTemplate template = ChatTemplate.fromGguf(gguf, tokenizer);
            assertEquals(ChatTemplateTest.resource("smollm2.jinja"), template.source());

            String prompt = template.render(List.of(Message.user("Hi there")), true);
            assertEquals("<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face"
                    + "<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n", prompt);
            int[] ids = tokenizer.encodeWithSpecials(prompt);
            // llama.cpp's ids for the tail "<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n",
            // as recorded in smollm2-llamacpp-vectors.json.
            int[] tail = {1, 4093, 198, 26843, 665, 2, 198, 1, 520, 9531, 198};
            assertArrayEquals(tail, Arrays.copyOfRange(ids, ids.length - tail.length, ids.length));
            assertEquals(1, ids[0]);
        }
    }
}
