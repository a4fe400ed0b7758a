package org.iteralign.core.eval;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.iteralign.core.UserInputException;

/**
 * Reads over-refusal prompts from a CSV with columns {@code prompt}, {@code type} and {@code label} (safe or
 * unsafe), XSTest's layout. {@link #builtIn()} is our own small set, written for this project.
 */
public final class OverRefusalData {
    private static final String BUILT_IN = "overrefusal-prompts.csv";
    private static final List<String> COLUMNS = List.of("prompt", "type", "label");

    private OverRefusalData() {}

    public static List<OverRefusalItem> read(Path csv) {
        return items(csv.toString(), CsvTable.read(csv, COLUMNS));
    }

    /** {@code overrefusal-prompts.csv} beside this class. */
    public static List<OverRefusalItem> builtIn() {
        try (InputStream in = OverRefusalData.class.getResourceAsStream(BUILT_IN)) {
            if (in == null) throw new IllegalStateException(BUILT_IN + " is missing from the classpath");
            return items(BUILT_IN, CsvTable.parse(BUILT_IN, new String(in.readAllBytes(), StandardCharsets.UTF_8), COLUMNS));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + BUILT_IN, e);
        }
    }

    private static List<OverRefusalItem> items(String csv, List<CsvTable.Row> rows) {
        List<OverRefusalItem> items = new ArrayList<>();
        for (CsvTable.Row row : rows) {
            String label = row.get("label").strip().toLowerCase(Locale.ROOT);
            if (!label.equals("safe") && !label.equals("unsafe")) {
                throw new UserInputException(csv, row.line(), "label must be safe or unsafe, not '" + row.get("label") + "'");
            }
            if (row.get("prompt").isBlank()) throw new UserInputException(csv, row.line(), "empty prompt");
            items.add(new OverRefusalItem(row.get("prompt"), row.get("type"), label.equals("safe")));
        }
        return items;
    }
}
