package org.iteralign.cli;

import org.iteralign.core.Backends;
import org.iteralign.core.model.ModelFactory;

import java.nio.file.Path;

/** The backends the command line can open, reporting downloads and loading on stderr. */
final class CliModels {
    private CliModels() {}

    static ModelFactory factory() {
        return Backends.standard(TerminalProgress.forStderr());
    }

    /** @param batchJournal the run store that records Batch API jobs, so a rerun resumes them */
    static ModelFactory factory(Path batchJournal) {
        return Backends.standard(TerminalProgress.forStderr(), batchJournal);
    }
}
