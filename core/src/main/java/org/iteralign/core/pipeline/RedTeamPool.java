package org.iteralign.core.pipeline;

import org.iteralign.core.config.RunConfig;
import org.iteralign.core.redteam.RedTeamPrompt;
import org.iteralign.core.redteam.RedTeamSampler;
import org.iteralign.core.store.RunStore;

import java.util.List;

/**
 * The run's red-team prompts: the held-out part fixed in {@code run.db} at the start, and each iteration's slice
 * recorded when the iteration begins. A resumed run reads the recorded slice, so it red-teams exactly the
 * prompts the interrupted run did.
 */
final class RedTeamPool {
    private final RedTeamSampler sampler;

    private RedTeamPool(RedTeamSampler sampler) {
        this.sampler = sampler;
    }

    static RedTeamPool prepare(List<RedTeamPrompt> all, RunConfig.RedTeam settings, long seed, RunStore store) {
        RedTeamSampler sampler = new RedTeamSampler(all, seed, settings.limit(), settings.heldout());
        store.transaction(() -> {
            List<RedTeamPrompt> heldout = sampler.heldout();
            for (int i = 0; i < heldout.size(); i++) {
                RedTeamPrompt p = heldout.get(i);
                store.update("INSERT OR IGNORE INTO heldout(prompt_id, position, text, transcript, source) VALUES (?, ?, ?, ?, ?)",
                        p.id(), i, p.text(), p.transcript(), p.source());
            }
        });
        return new RedTeamPool(sampler);
    }

    int trainingSize() {
        return sampler.trainingPool().size();
    }

    int heldoutSize() {
        return sampler.heldout().size();
    }

    /** The prompts of iteration {@code iteration} (1-based): recorded ones if any, else the next slice, recorded now. */
    List<RedTeamPrompt> slice(RunStore store, int iteration, int batchSize) {
        List<RedTeamPrompt> recorded = store.query(
                "SELECT prompt_id, text, transcript, source FROM prompts WHERE iteration = ? ORDER BY position",
                r -> new RedTeamPrompt(r.getString(1), r.getString(2), r.getString(3), r.getString(4)), iteration);
        if (!recorded.isEmpty()) return recorded;
        List<RedTeamPrompt> slice = sampler.slice(iteration - 1, batchSize);
        store.transaction(() -> {
            for (int i = 0; i < slice.size(); i++) {
                RedTeamPrompt p = slice.get(i);
                store.update("INSERT OR IGNORE INTO prompts(iteration, position, prompt_id, text, transcript, source) "
                        + "VALUES (?, ?, ?, ?, ?, ?)", iteration, i, p.id(), p.text(), p.transcript(), p.source());
            }
        });
        return slice;
    }
}
