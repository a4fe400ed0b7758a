package org.iteralign.core.guard;

import org.iteralign.core.UserInputException;
import org.iteralign.core.constitution.ConstitutionLibrary;
import org.iteralign.core.constitution.Principle;
import org.iteralign.core.constitution.Proposal;
import org.iteralign.core.pipeline.RunDirectory;
import org.iteralign.core.store.RunStore;
import org.iteralign.engine.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a guard's principles come from: a run directory, or the {@code constitutions.md} a run writes (and
 * {@code iteralign constitutions} prints), possibly copied elsewhere or written by hand in the same layout.
 */
public final class ConstitutionSource {
    private static final Pattern HEADING = Pattern.compile("^##\\s+(\\S+)\\s*$");
    private static final Pattern FIRST_PROPOSED = Pattern.compile("^- first proposed in iteration (\\d+)\\s*$");
    private static final Pattern CASE = Pattern.compile("^- `([^`]+)`");
    private static final String CASES_LABEL = "Cases that led to it:";

    private ConstitutionSource() {}

    /**
     * A run directory's library is rebuilt from its stored proposals exactly as the run builds it, so ids, merges
     * and provenance are the run's own. A markdown file keeps less: each principle comes back with one proposal
     * carrying the iteration that first proposed it (0 when the file does not say) and the cases listed under it.
     *
     * @throws UserInputException when the path is neither, or holds no principle
     */
    public static List<Principle> load(Path path) {
        if (Files.isDirectory(path)) return fromRun(new RunDirectory(path), path);
        if (!Files.isRegularFile(path)) {
            throw new UserInputException(path, "no such run directory or constitutions file");
        }
        try {
            return fromMarkdown(path, Files.readAllLines(path));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    private static List<Principle> fromRun(RunDirectory run, Path given) {
        if (!run.exists()) throw new UserInputException(given, "not a run directory: it has no run.db");
        List<StoredProposal> proposals;
        try (RunStore store = RunStore.open(run.database())) {
            proposals = store.query("SELECT iteration, principles, case_ids FROM proposals ORDER BY iteration",
                    r -> new StoredProposal(r.getInt(1), strings(r.getString(2)), strings(r.getString(3))));
        }
        ConstitutionLibrary library = new ConstitutionLibrary();
        for (StoredProposal p : proposals) library.add(p.iteration(), p.principles(), p.caseIds());
        if (library.principles().isEmpty()) throw new UserInputException(given, "the run has not proposed any constitution yet");
        return library.principles();
    }

    static List<Principle> fromMarkdown(Path file, List<String> lines) {
        List<Principle> out = new ArrayList<>();
        Entry entry = null;
        for (int n = 1; n <= lines.size(); n++) {
            String line = lines.get(n - 1);
            Matcher heading = HEADING.matcher(line);
            Matcher first = FIRST_PROPOSED.matcher(line);
            Matcher item = CASE.matcher(line);
            if (heading.matches()) {
                if (entry != null) out.add(entry.principle(file));
                entry = new Entry(heading.group(1), n);
            } else if (entry == null) {
                continue;
            } else if (first.matches()) {
                entry.iteration = Integer.parseInt(first.group(1));
                entry.textDone = true;
            } else if (line.strip().equals(CASES_LABEL)) {
                entry.textDone = true;
                entry.inCases = true;
            } else if (entry.inCases && item.find()) {
                entry.caseIds.add(item.group(1));
            } else if (!entry.textDone) {
                entry.text.append(line).append('\n');
            }
        }
        if (entry != null) out.add(entry.principle(file));
        if (out.isEmpty()) {
            throw new UserInputException(file, "no principle found: expected the layout of a run's constitutions.md "
                    + "(a '## C001' heading, then the principle's text)");
        }
        return out;
    }

    private record StoredProposal(int iteration, List<String> principles, List<String> caseIds) {}

    private static List<String> strings(String json) {
        if (!(Json.parse(json) instanceof List<?> values)) throw new IllegalStateException("run.db holds malformed JSON: " + json);
        return values.stream().map(String::valueOf).toList();
    }

    /** A principle being read from the markdown. */
    private static final class Entry {
        final String id;
        final int line;
        final StringBuilder text = new StringBuilder();
        final List<String> caseIds = new ArrayList<>();
        int iteration;
        boolean textDone;
        boolean inCases;

        Entry(String id, int line) {
            this.id = id;
            this.line = line;
        }

        Principle principle(Path file) {
            String body = text.toString().strip();
            if (body.isEmpty()) throw new UserInputException(file, line, "principle " + id + " has no text");
            return new Principle(id, body, List.of(new Proposal(iteration, body, caseIds)));
        }
    }
}
