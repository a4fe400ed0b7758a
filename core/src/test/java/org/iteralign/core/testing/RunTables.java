package org.iteralign.core.testing;

import org.iteralign.core.store.RunStore;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Every stage table of a run's database as sorted strings, so two runs can be compared for equality. */
public final class RunTables {
    private static final Map<String, String> QUERIES = Map.of(
            "prompts", "SELECT iteration || '|' || prompt_id || '|' || position FROM prompts",
            "heldout", "SELECT prompt_id FROM heldout",
            "responses", "SELECT iteration || '|' || prompt_id || '|' || text FROM responses",
            "verdicts", "SELECT iteration || '|' || subject || '|' || prompt_id || '|' || verdict || '|' || attempts FROM verdicts",
            "proposals", "SELECT iteration || '|' || principles || '|' || case_ids FROM proposals",
            "constitutions", "SELECT id || '|' || text || '|' || times_proposed FROM constitutions",
            "revisions", "SELECT iteration || '|' || prompt_id || '|' || text FROM revisions",
            "sft", "SELECT iteration || '|' || prompt_id || '|' || response FROM sft_examples",
            "models", "SELECT iteration || '|' || model || '|' || trainer FROM models",
            "llm_calls", "SELECT key FROM llm_calls");

    /** Tables derived from others (rewritten as the run goes), so an early row may legitimately change later. */
    public static final List<String> DERIVED = List.of("constitutions");

    private RunTables() {}

    public static Map<String, List<String>> rows(Path runDirectory) {
        Map<String, List<String>> out = new TreeMap<>();
        try (RunStore store = RunStore.open(runDirectory.resolve("run.db"))) {
            QUERIES.forEach((table, sql) -> out.put(table, store.query(sql + " ORDER BY 1", r -> r.getString(1))));
        }
        return out;
    }
}
