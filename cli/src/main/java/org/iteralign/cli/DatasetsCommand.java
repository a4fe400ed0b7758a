package org.iteralign.cli;

import org.iteralign.core.IteralignHome;
import org.iteralign.core.redteam.DatasetCatalog;
import org.iteralign.core.redteam.DatasetDownloader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "datasets", mixinStandardHelpOptions = true,
        description = "Download public red-team and benchmark datasets into the cache (~/.cache/iteralign, or $ITERALIGN_HOME).",
        subcommands = {DatasetsCommand.Pull.class, DatasetsCommand.ListCached.class})
final class DatasetsCommand {

    @Command(name = "pull", mixinStandardHelpOptions = true,
            description = {"Download a public dataset from its upstream location, pinned to a commit, and verify its checksum.",
                    "Datasets: harmfulqa, dangerousqa, hh-rlhf-harmless, hh-rlhf-red-team, truthfulqa, bigbench-hhh, or all."})
    static final class Pull implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", arity = "1..*", description = "Dataset name(s), or 'all'.")
        List<String> names;

        @Override
        public Integer call() {
            DatasetDownloader downloader = new DatasetDownloader();
            List<String> wanted = names.contains("all") ? DatasetCatalog.standard().names() : names;
            for (String name : wanted) {
                for (var file : downloader.pull(name, IteralignHome.root())) {
                    System.err.println(name + ": " + file.path().getFileName() + " " + file.outcome().name().toLowerCase().replace('_', ' ')
                            + " (" + file.size() + " bytes, sha256 " + file.sha256().substring(0, 12) + "...)");
                }
                System.out.println(DatasetDownloader.datasetDir(IteralignHome.root(), name));
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Show the public datasets and which are in the cache.")
    static final class ListCached implements Callable<Integer> {
        @Override
        public Integer call() {
            for (var cached : new DatasetDownloader().list(IteralignHome.root())) {
                String state = cached.complete() ? "pulled" : cached.filesPresent() > 0 ? "partial" : "-";
                System.out.printf("%-18s %-8s %s%n", cached.dataset().name(), state, cached.dataset().description());
            }
            return 0;
        }
    }
}
