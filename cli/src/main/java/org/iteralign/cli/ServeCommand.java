package org.iteralign.cli;

import org.iteralign.core.UserInputException;
import org.iteralign.core.embedded.EmbeddedChatModel;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.serve.OpenAiServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve a model from the embedded engine behind OpenAI's API, so any tool that speaks it can use it: "
                + "GET /v1/models, POST /v1/chat/completions and POST /v1/completions (stream, logprobs, echo, stop, seed, "
                + "temperature, top_p, max_tokens, frequency and presence penalties).",
                "Requests that arrive together run as one engine batch. The model's id is its spec.",
                "Prints the base URL on stdout and one line per request on stderr; Ctrl-C stops it.",
                "A client reaches it as openai-compatible:http://127.0.0.1:8080/v1#SPEC."})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "SPEC",
            description = "A model this machine runs: smollm2-135m-instruct, gguf:PATH, hf-dir:PATH or hf:ORG/NAME.")
    String model;

    @Option(names = "--adapter", paramLabel = "DIR",
            description = "A LoRA adapter (PEFT layout, as train writes it) to merge into the model first; cached under $ITERALIGN_HOME/merged.")
    Path adapter;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 listens on every interface, unauthenticated).")
    String host;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--max-batch", paramLabel = "N", defaultValue = "32",
            description = "Most sequences the engine runs together; each holds its own cache in memory (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) throw new UserInputException("--port", "must be from 0 to 65535, is " + port);
        if (maxBatch < 1) throw new UserInputException("--max-batch", "must be at least 1");
        checkLocal(model);
        checkAddress();
        EmbeddedChatModel served = (EmbeddedChatModel) AdapterOption.open(model, adapter);
        OpenAiServer server;
        try {
            server = OpenAiServer.start(served, host, port, maxBatch, System.err::println);
        } catch (IOException e) {
            served.close();
            throw listenError(e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("stopping: answers still being written end with an error");
            server.close();
            served.close();
            stopped.countDown();
        }, "iteralign-serve-shutdown"));
        System.err.println("serving " + served.id() + " at " + server.baseUrl() + " (Ctrl-C stops)");
        System.out.println(server.baseUrl());
        System.out.flush();
        stopped.await();
        return 0;
    }

    /** Fails fast on a busy port or an unknown host, before a model is loaded for nothing; binding for real may still fail. */
    private void checkAddress() {
        try {
            new ServerSocket(port, 1, InetAddress.getByName(host)).close();
        } catch (IOException e) {
            throw listenError(e);
        }
    }

    private UserInputException listenError(IOException e) {
        return new UserInputException("--host/--port", "cannot listen on " + host + ":" + port + ": " + e.getMessage());
    }

    private static void checkLocal(String specText) {
        ModelSpec spec;
        try {
            spec = ModelSpec.parse(specText);
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--model", e.getMessage());
        }
        if (spec.isRemote()) {
            throw new UserInputException("--model", "serve runs a model on this machine (an alias, gguf:PATH, hf-dir:PATH or hf:ORG/NAME), not "
                    + spec.text());
        }
    }
}
