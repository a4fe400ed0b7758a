package org.iteralign.core.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.iteralign.core.UserInputException;

/**
 * A CSV file with a header row (RFC 4180: commas, double-quoted fields that may hold commas, newlines and doubled
 * quotes), as XSTest and spreadsheets write it. The red-team package has its own reader but keeps it private.
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

    /** Every record, fields keyed by their position ("0", "1", ...). */
    private static List<Row> records(String file, String text) {
        List<Row> records = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int line = 1;
        int start = 1;
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    if (c == '\n') line++;
                    field.append(c);
                }
            } else if (c == '"' && field.isEmpty()) {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') i++;
                fields.add(field.toString());
                field.setLength(0);
                records.add(positional(start, fields));
                fields.clear();
                line++;
                start = line;
            } else {
                field.append(c);
            }
        }
        if (quoted) throw new UserInputException(file, start, "a quoted field is never closed");
        if (!field.isEmpty() || !fields.isEmpty()) {
            fields.add(field.toString());
            records.add(positional(start, fields));
        }
        return records;
    }

    private static Row positional(int line, List<String> fields) {
        Map<String, String> byPosition = new LinkedHashMap<>();
        for (int i = 0; i < fields.size(); i++) byPosition.put(Integer.toString(i), fields.get(i));
        return new Row(line, byPosition);
    }
}
