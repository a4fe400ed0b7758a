package org.iteralign.cli;

import org.iteralign.core.UserInputException;
import org.iteralign.core.embedded.AdapterMerge;
import org.iteralign.engine.tensor.GgmlType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Fold a LoRA adapter into its base model and write the result as a GGUF file that iteralign "
                + "(gguf:FILE) and llama.cpp run like any other model. Prints FILE.")
final class MergeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "SPEC", description = "The base model the adapter was trained on.")
    String model;

    @Option(names = "--adapter", required = true, paramLabel = "DIR", description = "The adapter folder (PEFT layout), as train writes it.")
    Path adapter;

    @Option(names = "--out", required = true, paramLabel = "FILE.gguf", description = "The merged model to write.")
    Path out;

    @Option(names = "--type", paramLabel = "TYPE", defaultValue = "f16",
            description = "Format of the merged matrices: f16 (the default), q8_0 or f32. With f16 and f32 the other tensors "
                    + "keep the base's format; q8_0 also quantises the base's float matrices (embedding, output), as "
                    + "llama.cpp's quantiser does, and keeps norms and already quantised matrices as they are.")
    String type;

    @Override
    public Integer call() {
        GgmlType ggml = switch (type.toLowerCase()) {
            case "f16" -> GgmlType.F16;
            case "f32" -> GgmlType.F32;
            case "q8_0" -> GgmlType.Q8_0;
            default -> throw new UserInputException("--type", "unknown type '" + type + "': use f16, q8_0 or f32");
        };
        if (!Files.isDirectory(adapter)) throw new UserInputException(adapter, "no such adapter folder");
        if (out.getParent() != null && !Files.isDirectory(out.getParent())) {
            throw new UserInputException(out, "the folder " + out.getParent() + " does not exist");
        }
        AdapterMerge.write(AdapterOption.baseGguf(model, "merge"), adapter, out, ggml);
        System.out.println(out);
        return 0;
    }
}
