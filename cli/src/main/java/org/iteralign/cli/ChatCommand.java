package org.iteralign.cli;

import org.iteralign.core.model.ChatMessage;
import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.Completion;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Talk with a model: each line you type is a user turn; the conversation is kept.",
                "Type /reset to start over, /exit (or end the input) to leave."})
final class ChatCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "SPEC", description = "Model spec, as for generate.")
    String model;

    @Option(names = "--system", paramLabel = "TEXT", description = "A system message for the whole conversation.")
    String system;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "256", description = "New tokens per answer (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0", description = "0 (the default) is greedy.")
    double temperature;

    @Option(names = "--adapter", paramLabel = "DIR",
            description = "A LoRA adapter (PEFT layout, as train writes it) to merge into the model first; cached under $ITERALIGN_HOME/merged.")
    Path adapter;

    @Override
    public Integer call() throws IOException {
        try (ChatModel chat = AdapterOption.open(model, adapter)) {
            List<ChatMessage> history = new ArrayList<>();
            if (system != null) history.add(ChatMessage.system(system));
            Sampling sampling = new Sampling(temperature, 1.0, 0, 0.0, 0.0, maxTokens, List.of(), 0);
            var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            boolean interactive = System.console() != null && System.console().isTerminal();
            while (true) {
                if (interactive) {
                    System.out.print("> ");
                    System.out.flush();
                }
                String line = in.readLine();
                if (line == null || line.strip().equals("/exit")) return 0;
                if (line.strip().equals("/reset")) {
                    history.removeIf(m -> m.role() != ChatMessage.Role.SYSTEM);
                    continue;
                }
                if (line.isBlank()) continue;
                history.add(ChatMessage.user(line));
                Completion answer = chat.generate(new Prompt.Chat(history), sampling);
                history.add(ChatMessage.assistant(answer.text()));
                System.out.println(answer.text());
            }
        }
    }
}
