package org.iteralign.core.redteam;

import org.iteralign.core.download.FileDownload;

import org.iteralign.core.redteam.DatasetCatalog.RemoteFile;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetCatalogTest {
    private final DatasetCatalog catalog = DatasetCatalog.standard();

    @Test
    void listsThePublicSets() {
        assertEquals(List.of("harmfulqa", "dangerousqa", "hh-rlhf-harmless", "hh-rlhf-red-team", "truthfulqa", "bigbench-hhh"),
                catalog.names());
        assertEquals(4, catalog.find("bigbench-hhh").files().size());
        assertFalse(catalog.find("hh-rlhf-red-team").files().getFirst().pinned());
        for (var dataset : catalog.datasets()) {
            for (RemoteFile f : dataset.files()) {
                assertEquals("https", f.url().getScheme(), f.url().toString());
            }
        }
    }

    /** The pinned checksums must be those of the upstream files, of which the shared data holds exact copies. */
    @Test
    void pinnedChecksumsMatchTheSharedCopies() throws Exception {
        List<String[]> copies = List.of(
                new String[] {"harmfulqa", "harmfulqa.json", "harmfulqa/harmfulqa.json"},
                new String[] {"dangerousqa", "dangerousqa.json", "dangerousqa/dangerousqa.json"},
                new String[] {"hh-rlhf-harmless", "harmless-base-test.jsonl.gz", "hh_rlhf_harmless/harmless-base-test.jsonl.gz"},
                new String[] {"truthfulqa", "mc_task.json", "truthfulqa/mc_task.json"},
                new String[] {"truthfulqa", "TruthfulQA.csv", "truthfulqa/TruthfulQA.csv"});
        for (String[] c : copies) {
            Path local = SharedData.require(c[2]);
            RemoteFile file = catalog.find(c[0]).files().stream().filter(f -> f.fileName().equals(c[1])).findFirst().orElseThrow();
            assertTrue(file.pinned(), c[1]);
            assertEquals(Files.size(local), file.size(), c[1]);
            assertEquals(FileDownload.sha256(local), file.sha256(), c[1]);
        }
    }
}
