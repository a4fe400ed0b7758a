package org.iteralign.core.redteam;

import org.iteralign.core.UserInputException;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * The public datasets {@code iteralign datasets pull NAME} can fetch, each file pinned to an upstream commit.
 * Sizes and SHA-256 sums of the files we hold a copy of were computed from those copies, which are the pinned
 * upstream files byte for byte.
 */
public record DatasetCatalog(List<PublicDataset> datasets) {
    public DatasetCatalog {
        datasets = List.copyOf(datasets);
    }

    /** A named set of files, and the upstream project it comes from (shown to users, with its licence). */
    public record PublicDataset(String name, String description, List<RemoteFile> files) {
        public PublicDataset {
            files = List.copyOf(files);
        }
    }

    /**
     * One file: {@code fileName} is its path inside the dataset's cache folder. A null {@code sha256} (with
     * {@code size} -1) means we have no pinned checksum: it is recorded on the first download and every later
     * pull checks against that record (trust on first use), which catches corruption and upstream changes
     * after the first download but cannot vouch for the first one.
     */
    public record RemoteFile(String fileName, URI url, long size, String sha256) {
        public RemoteFile {
            Objects.requireNonNull(fileName, "fileName");
            Objects.requireNonNull(url, "url");
            if ((sha256 == null) != (size < 0)) throw new IllegalArgumentException("pin both size and sha256, or neither");
        }

        public boolean pinned() {
            return sha256 != null;
        }

        static RemoteFile unpinned(String fileName, String url) {
            return new RemoteFile(fileName, URI.create(url), -1, null);
        }
    }

    private static final String RED_INSTRUCT = "https://raw.githubusercontent.com/declare-lab/red-instruct/73c759c93d2f6b1d8c7b058ab7bcec5fb0c28fa2/";
    private static final String HH_RLHF_COMMIT = "354e5c3cb8960630860dd5774a6ac2a58313bf4d";
    /**
     * TruthfulQA is pinned through a vendored copy of the upstream repository (inside TruthX) because upstream
     * sylinrl/TruthfulQA rewrote TruthfulQA.csv in January 2025; this is the earlier version most 2023-24 papers,
     * IterAlign among them, evaluated on.
     */
    private static final String TRUTHFULQA = "https://raw.githubusercontent.com/SimarBhatiaSB7/TruthX/9f9e3d00dd0114d8adda7a86757f01671be59d5f/TruthfulQA/";
    /**
     * BIG-bench is no longer developed, so its {@code main} branch is effectively frozen, but we have not recorded
     * a commit or checksums for these files: they are trusted on first use.
     */
    private static final String BIG_BENCH_HHH = "https://raw.githubusercontent.com/google/BIG-bench/main/bigbench/benchmark_tasks/hhh_alignment/";

    public static DatasetCatalog standard() {
        return new DatasetCatalog(List.of(
                new PublicDataset("harmfulqa",
                        "HarmfulQA: 1,960 harmful questions, 10 topics (declare-lab/red-instruct, Apache-2.0)",
                        List.of(new RemoteFile("harmfulqa.json", URI.create(RED_INSTRUCT + "harmful_questions/harmfulqa.json"),
                                154_902, "e04c1f3c48800ea84f954298e2a74f27e391069e037d60a22c2727eaa22f2cf8"))),
                new PublicDataset("dangerousqa",
                        "DangerousQA: 200 harmful questions (declare-lab/red-instruct, Apache-2.0)",
                        List.of(new RemoteFile("dangerousqa.json", URI.create(RED_INSTRUCT + "harmful_questions/dangerousqa.json"),
                                9_894, "b40b0193d063cb5d742e6d0e070dde119e0291619830c65653ca19bdc84fdd10"))),
                new PublicDataset("hh-rlhf-harmless",
                        "Anthropic HH-RLHF harmless-base test split: 2,312 dialogues (anthropics/hh-rlhf, MIT)",
                        List.of(new RemoteFile("harmless-base-test.jsonl.gz",
                                URI.create("https://raw.githubusercontent.com/anthropics/hh-rlhf/" + HH_RLHF_COMMIT + "/harmless-base/test.jsonl.gz"),
                                742_801, "ebfaaed21162a4de120ae85366075b34425e2a6303fac59b99555002f7016f03"))),
                // Stored in Git LFS upstream, so it is served from GitHub's LFS media host, not the raw host.
                new PublicDataset("hh-rlhf-red-team",
                        "Anthropic red-team-attempts: 38,961 red-team transcripts, about 20 MB (anthropics/hh-rlhf, MIT)",
                        List.of(RemoteFile.unpinned("red_team_attempts.jsonl.gz",
                                "https://media.githubusercontent.com/media/anthropics/hh-rlhf/" + HH_RLHF_COMMIT
                                        + "/red-team-attempts/red_team_attempts.jsonl.gz"))),
                new PublicDataset("truthfulqa",
                        "TruthfulQA, pre-2025 version: 817 questions, MC1/MC2 targets (sylinrl/TruthfulQA, Apache-2.0)",
                        List.of(new RemoteFile("mc_task.json", URI.create(TRUTHFULQA + "data/mc_task.json"),
                                        771_566, "75b84d5cc8f0e287c055db1857808e734ea53ade8ee68aad2d007f38896330a8"),
                                new RemoteFile("TruthfulQA.csv", URI.create(TRUTHFULQA + "TruthfulQA.csv"),
                                        477_048, "967b82fb1fb6274e4971c6c80caa9d04f844c512b1033c146f26c78270cd384b"))),
                new PublicDataset("bigbench-hhh",
                        "BIG-bench hhh_alignment: 221 items in 4 subsets (google/BIG-bench, Apache-2.0)",
                        List.of("harmless", "helpful", "honest", "other").stream()
                                .map(subset -> RemoteFile.unpinned(subset + "/task.json", BIG_BENCH_HHH + subset + "/task.json"))
                                .toList())));
    }

    public List<String> names() {
        return datasets.stream().map(PublicDataset::name).toList();
    }

    public PublicDataset find(String name) {
        return datasets.stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow(() ->
                new UserInputException(name, "unknown dataset (known: " + String.join(", ", names()) + ")"));
    }
}
