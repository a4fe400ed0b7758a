package org.iteralign.cli;

import org.iteralign.core.UserInputException;
import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.Completion;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Answer one prompt with a model and print the completion on stdout.",
                "The prompt is wrapped as a user turn in the model's chat template unless --raw is given."})
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "SPEC",
            description = "Model spec: smollm2-135m-instruct, gguf:PATH, openai:NAME, openai-compatible:URL#NAME, anthropic:NAME.")
    String model;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The prompt.")
    String prompt;

    @Option(names = "--raw", description = "Feed the prompt as plain text to continue, without the chat template.")
    boolean raw;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0", description = "0 (the default) is greedy.")
    double temperature;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "128", description = "New tokens at most (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed for sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--adapter", paramLabel = "DIR",
            description = "A LoRA adapter (PEFT layout, as train writes it) to merge into the model first; cached under $ITERALIGN_HOME/merged.")
    Path adapter;

    @Override
    public Integer call() {
        if (maxTokens < 1) throw new UserInputException("--max-tokens", "must be at least 1");
        if (temperature < 0) throw new UserInputException("--temperature", "must not be negative");
        try (ChatModel chat = AdapterOption.open(model, adapter)) {
            Sampling sampling = new Sampling(temperature, 1.0, 0, 0.0, 0.0, maxTokens, List.of(), seed);
            Completion c = chat.generate(raw ? Prompt.raw(prompt) : Prompt.userTurn(prompt), sampling);
            System.out.println(c.text());
        }
        return 0;
    }
}
