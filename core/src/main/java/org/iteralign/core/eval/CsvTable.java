package org.iteralign.core.eval;

import org.iteralign.core.UserInputException;
import org.iteralign.core.redteam.CsvRecords;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CSV file with a header row (RFC 4180: commas, double-quoted fields that may hold commas, newlines and doubled
 * quotes), as XSTest and spreadsheets write it, read into rows keyed by the header's column names.
 */
final class CsvTable {
    /** One data row: its fields by column name, and the 1-based line it starts on. */
    record Row(int line, Map<String, String> fields) {
        String get(String column) {
            return fields.getOrDefault(column, "");
        }
    }

    private CsvTable() {}

    static List<Row> read(Path file, List<String> requiredColumns) {
        try {
            return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8), requiredColumns);
        } catch (IOException e) {
            throw new UserInputException(file, "cannot read: " + e.getMessage());
        }
    }

    /** @param file names the source in error messages */
    static List<Row> parse(String file, String text, List<String> requiredColumns) {
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        List<Row> records = records(file, text);
        if (records.isEmpty()) throw new UserInputException(file, "empty CSV file");
        List<String> header = List.copyOf(records.getFirst().fields().values());
        for (String column : requiredColumns) {
            if (!header.contains(column)) {
                throw new UserInputException(file, 1, "no column '" + column + "' (columns: " + String.join(", ", header) + ")");
            }
        }
        List<Row> rows = new ArrayList<>();
        for (Row r : records.subList(1, records.size())) {
            List<String> values = List.copyOf(r.fields().values());
            if (values.size() == 1 && values.getFirst().isBlank()) continue;
            if (values.size() != header.size()) {
                throw new UserInputException(file, r.line(), values.size() + " fields, the header has " + header.size());
            }
            Map<String, String> fields = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) fields.put(header.get(i), values.get(i));
            rows.add(new Row(r.line(), fields));
        }
        return rows;
    }

    /** Every record, fields keyed by their position ("0", "1", ...), read by the red-team loader's CSV reader. */
    private static List<Row> records(String file, String text) {
        List<Row> records = new ArrayList<>();
        CsvRecords in = new CsvRecords(Path.of(file), new StringReader(text));
        try {
            for (CsvRecords.CsvRecord r; (r = in.next()) != null; ) records.add(positional(r.line(), r.fields()));
        } catch (IOException e) {
            throw new UncheckedIOException("a string reader does not fail", e);
        }
        return records;
    }

    private static Row positional(int line, List<String> fields) {
        Map<String, String> byPosition = new LinkedHashMap<>();
        for (int i = 0; i < fields.size(); i++) byPosition.put(Integer.toString(i), fields.get(i));
        return new Row(line, byPosition);
    }
}
