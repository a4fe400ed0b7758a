package org.iteralign.cli;

import org.iteralign.core.Backends;
import org.iteralign.core.model.ModelFactory;

/** The backends the command line can open, reporting downloads and loading on stderr. */
final class CliModels {
    private CliModels() {}

    static ModelFactory factory() {
        return Backends.standard(TerminalProgress.forStderr());
    }
}
