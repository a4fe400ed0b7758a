package org.iteralign.core.redteam;

import java.util.Objects;

/**
 * One entry of {@code red_team.datasets}: the loader {@code type} (see {@link RedTeamDatasets#TYPES}), the file
 * {@code path} (absolute once the config is resolved; null for {@code builtin}, or to use a pulled copy) and, for
 * {@code jsonl} and {@code csv}, the {@code field} that holds the prompt.
 */
public record DatasetSpec(String type, String path, String field) {
    public DatasetSpec {
        Objects.requireNonNull(type, "type");
    }
}
