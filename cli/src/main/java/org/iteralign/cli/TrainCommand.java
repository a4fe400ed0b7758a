package org.iteralign.cli;

import org.iteralign.core.UserInputException;
import org.iteralign.core.embedded.SftDataFile;
import org.iteralign.engine.ModelFormatException;
import org.iteralign.engine.model.LlamaModel;
import org.iteralign.engine.train.ChatExample;
import org.iteralign.engine.train.LoraConfig;
import org.iteralign.engine.train.LoraTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Fine-tune a LoRA adapter on chat data, on the CPU, and save it in Hugging Face PEFT's layout "
                + "(adapter_config.json, adapter_model.safetensors) in DIR; prints DIR.",
                "FILE is ShareGPT JSON or OpenAI chat JSONL, told apart by content (a run's iterations/NNN/sft.sharegpt.json "
                + "or sft.openai.jsonl reads as it is); the last assistant turn of each conversation is what is learned.",
                "Checkpoints go to DIR/checkpoint; an interrupted training continues with --resume."})
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "SPEC", description = "The base model: an alias, gguf:PATH or hf:ORG/NAME.")
    String model;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "The training conversations.")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the adapter goes.")
    Path out;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "3", description = "Passes over the data (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", paramLabel = "X", defaultValue = "2e-4", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    float learningRate;

    @Option(names = "--rank", paramLabel = "R", defaultValue = "16", description = "LoRA rank (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--alpha", paramLabel = "A", description = "LoRA alpha (default: twice the rank).")
    Float alpha;

    @Option(names = "--max-length", paramLabel = "L", defaultValue = "512",
            description = "Tokens per conversation at most; longer ones are cut (default: ${DEFAULT-VALUE}).")
    int maxLength;

    // The paper trained with batch 2, and IterAlign's SFT sets are small: batches of 8 would make few optimiser steps.
    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "2", description = "Conversations per optimiser step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--checkpoint-every", paramLabel = "S", defaultValue = "10",
            description = "Optimiser steps between checkpoints, 0 for none (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--resume", description = "Continue the interrupted training whose checkpoint is in DIR.")
    boolean resume;

    @Override
    public Integer call() {
        LoraConfig config = config();
        checkOutput();
        List<ChatExample> examples = SftDataFile.read(data);
        Path baseFile = AdapterOption.baseGguf(model, "train");
        TrainingBar bar = TrainingBar.forStderr();
        try (LlamaModel base = LlamaModel.load(baseFile)) {
            Files.createDirectories(out);
            LoraTrainer.train(base, examples, config, out, bar);
        } catch (ModelFormatException e) {
            throw new UserInputException(baseFile, e.reason());
        } catch (IllegalArgumentException e) {
            // The two refusals of the trainer that the user fixes; any other is a bug and stays one.
            String message = String.valueOf(e.getMessage());
            if (message.startsWith(out.resolve(LoraTrainer.CHECKPOINT).toString())) throw new UserInputException(out, message);
            if (message.startsWith("no training example")) throw new UserInputException(data, message + "; raise --max-length");
            throw e;
        } catch (IOException e) {
            throw new UserInputException(out, "cannot create the folder: " + e.getMessage());
        } finally {
            bar.finish();
        }
        System.err.printf("trained on %d conversations; last step's loss %.4f%n", examples.size(), bar.lastLoss());
        System.out.println(out);
        return 0;
    }

    private LoraConfig config() {
        if (epochs < 1) throw new UserInputException("--epochs", "must be at least 1");
        if (!(learningRate > 0)) throw new UserInputException("--lr", "must be positive");
        if (rank < 1) throw new UserInputException("--rank", "must be at least 1");
        if (alpha != null && !(alpha > 0)) throw new UserInputException("--alpha", "must be positive");
        if (maxLength < 2) throw new UserInputException("--max-length", "must be at least 2");
        if (batchSize < 1) throw new UserInputException("--batch-size", "must be at least 1");
        if (checkpointEvery < 0) throw new UserInputException("--checkpoint-every", "must not be negative");
        return LoraConfig.defaults()
                .withRank(rank, alpha == null ? 2f * rank : alpha)
                .withLearningRate(learningRate)
                .withEpochs(epochs)
                .withMaxLength(maxLength)
                .withBatch(batchSize, LoraConfig.defaults().microBatchTokens())
                .withCheckpointEvery(checkpointEvery);
    }

    /** An unfinished training is only ever continued on purpose, and a finished adapter never overwritten. */
    private void checkOutput() {
        boolean checkpoint = Files.isDirectory(out.resolve(LoraTrainer.CHECKPOINT));
        boolean finished = Files.isRegularFile(out.resolve("adapter_config.json")) && !checkpoint;
        if (checkpoint && !resume) {
            throw new UserInputException(out, "holds an unfinished training (checkpoint/): add --resume to continue it, "
                    + "or train into another folder");
        }
        if (finished) {
            throw new UserInputException(out, "already holds a trained adapter: train into another folder or delete it");
        }
        if (resume && !checkpoint) {
            throw new UserInputException(out, "--resume: there is no checkpoint to continue from; "
                    + "drop --resume to start (a training stopped before its first checkpoint starts over)");
        }
    }
}
