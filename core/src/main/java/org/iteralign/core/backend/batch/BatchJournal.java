package org.iteralign.core.backend.batch;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

import org.iteralign.core.config.RunConfigWriter;
import org.iteralign.core.store.RunStore;

/**
 * The jobs this process paid for and has not yet collected, in the {@code remote_batches} table of a run store:
 * the input file is recorded once uploaded and the job once created, both before any waiting, so a process
 * killed while a job runs finds it again instead of paying for it twice. A job leaves the journal once its
 * answers have been handed on.
 *
 * <p>The store is opened at first use, not at construction: a model is opened (its key checked) before the
 * run directory exists.
 */
final class BatchJournal implements AutoCloseable {
    /** A job as far as it got: {@code batchId} is null when the process stopped between upload and creation. */
    record Submission(String key, String inputFileId, String batchId) {}

    private final Path database;
    private RunStore store;

    BatchJournal(Path database) {
        this.database = database;
    }

    Optional<Submission> find(String key) {
        return store().queryOne("SELECT input_file_id, batch_id FROM remote_batches WHERE key = ?",
                r -> new Submission(key, r.getString(1), r.getString(2)), key);
    }

    void uploaded(String key, String api, String inputFileId, int requests) {
        store().update("INSERT INTO remote_batches(key, api, input_file_id, batch_id, requests, created_at) "
                        + "VALUES (?, ?, ?, NULL, ?, ?) ON CONFLICT(key) DO UPDATE SET input_file_id = excluded.input_file_id, "
                        + "batch_id = NULL", key, RunConfigWriter.redactUrlCredentials(api), inputFileId, requests,
                Instant.now().toString());
    }

    void created(String key, String batchId) {
        store().update("UPDATE remote_batches SET batch_id = ? WHERE key = ?", batchId, key);
    }

    /** The job's answers were handed on (or it failed for good): a new call with the same requests is a new job. */
    void forget(String key) {
        store().update("DELETE FROM remote_batches WHERE key = ?", key);
    }

    @Override
    public synchronized void close() {
        if (store != null) store.close();
        store = null;
    }

    private synchronized RunStore store() {
        if (store == null) store = RunStore.open(database);
        return store;
    }
}
