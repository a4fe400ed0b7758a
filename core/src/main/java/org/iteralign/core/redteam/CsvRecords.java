package org.iteralign.core.redteam;

import org.iteralign.core.UserInputException;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A reader of RFC 4180 CSV: comma separated, CRLF or LF record ends, fields optionally in double quotes, where a
 * quoted field may hold commas, line breaks and doubled quotes. Forty lines do the job, so we do not add a CSV
 * library to the dependencies; a stray quote inside an unquoted field is kept as a literal character, as
 * spreadsheet programs do.
 */
public final class CsvRecords {
    /** One record and the 1-based line it starts on (a quoted field may carry it over several lines). */
    public record CsvRecord(int line, List<String> fields) {}

    private final Path file;
    private final Reader in;
    private int line = 1;
    private int pushedBack = -2;

    public CsvRecords(Path file, Reader in) {
        this.file = file;
        this.in = in;
    }

    /** The next record, or null at the end of the file. */
    public CsvRecord next() throws IOException {
        int c = read();
        if (c < 0) return null;
        int start = line;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        while (true) {
            if (c == '"' && field.isEmpty()) {
                c = readQuoted(field, start);
            }
            if (c < 0 || c == '\n' || c == '\r') {
                if (c == '\r') {
                    int after = read();
                    if (after != '\n') unread(after);
                }
                if (c >= 0) line++;
                fields.add(field.toString());
                return new CsvRecord(start, fields);
            }
            if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append((char) c);
            }
            c = read();
        }
    }

    /** Reads a quoted field's content after its opening quote; returns the character after the closing quote. */
    private int readQuoted(StringBuilder field, int start) throws IOException {
        while (true) {
            int c = read();
            if (c < 0) throw new UserInputException(file, start, "invalid CSV: a quoted field is never closed");
            if (c == '"') {
                int after = read();
                if (after != '"') {
                    if (after >= 0 && after != ',' && after != '\n' && after != '\r') {
                        throw new UserInputException(file, line, "invalid CSV: text after a closing quote (write \"\" for a quote)");
                    }
                    return after;
                }
            } else if (c == '\n') {
                line++;
            }
            field.append((char) c);
        }
    }

    private int read() throws IOException {
        if (pushedBack != -2) {
            int c = pushedBack;
            pushedBack = -2;
            return c;
        }
        return in.read();
    }

    private void unread(int c) {
        pushedBack = c;
    }
}
