package org.iteralign.core.pipeline;

import org.iteralign.core.store.RunStore;

import java.util.Optional;

/**
 * What one iteration's trainer must remember if the run is killed and resumed (a remote job's id, a command that
 * already finished), kept in {@code run.db}'s {@code trainer_state} table. Every {@link #put} is on disk when it
 * returns, so a trainer records an id before it starts waiting on what the id names.
 */
public final class TrainerState {
    private final RunStore store;
    private final int iteration;

    public TrainerState(RunStore store, int iteration) {
        this.store = store;
        this.iteration = iteration;
    }

    public Optional<String> get(String key) {
        return store.queryOne("SELECT value FROM trainer_state WHERE iteration = ? AND key = ?", r -> r.getString(1), iteration, key);
    }

    public void put(String key, String value) {
        store.update("INSERT INTO trainer_state(iteration, key, value) VALUES (?, ?, ?) "
                + "ON CONFLICT(iteration, key) DO UPDATE SET value = excluded.value", iteration, key, value);
    }

    public void remove(String key) {
        store.update("DELETE FROM trainer_state WHERE iteration = ? AND key = ?", iteration, key);
    }
}
