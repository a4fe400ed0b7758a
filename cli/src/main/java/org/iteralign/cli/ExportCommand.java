package org.iteralign.cli;

import org.iteralign.core.UserInputException;
import org.iteralign.core.pipeline.SftExample;
import org.iteralign.core.pipeline.SftExport;
import org.iteralign.core.store.RunStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Print a run's SFT data (every iteration's kept revisions, or one iteration's) for an external trainer.")
final class ExportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "A run directory.")
    Path dir;

    @Option(names = "--format", required = true, paramLabel = "FORMAT",
            description = "sharegpt (FastChat's JSON, as the paper trained) or openai (chat JSONL for fine-tuning APIs).")
    String format;

    @Option(names = "--iteration", paramLabel = "N", description = "Only this iteration (default: all).")
    Integer iteration;

    @Override
    public Integer call() {
        SftExport.Format f = switch (format) {
            case "sharegpt" -> SftExport.Format.SHAREGPT;
            case "openai" -> SftExport.Format.OPENAI;
            default -> throw new UserInputException("--format", "unknown format '" + format + "'; use sharegpt or openai");
        };
        List<SftExample> examples;
        try (RunStore store = RunDirectoryArgument.openStore(dir)) {
            examples = store.query("SELECT iteration, prompt_id, prompt, response FROM sft_examples "
                            + "WHERE ? IS NULL OR iteration = ? ORDER BY iteration, rowid",
                    r -> new SftExample(r.getInt(1), r.getString(2), r.getString(3), r.getString(4)), iteration, iteration);
        }
        System.out.print(SftExport.render(f, examples));
        return 0;
    }
}
