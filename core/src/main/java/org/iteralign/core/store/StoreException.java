package org.iteralign.core.store;

import java.sql.SQLException;

/** The run database failed: a disk or SQLite problem, not something the user typed. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    static StoreException inStatement(String sql, SQLException cause) {
        String verb = sql.strip().split("\\s+", 2)[0];
        return new StoreException("run.db: " + cause.getMessage() + " (during " + verb + ")", cause);
    }
}
