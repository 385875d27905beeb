package com.mking.backup.export;

import com.mking.backup.pipeline.Manifest;
import com.mking.backup.store.LocalStore;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A volume imported before the one holding its data: its manifest never reaches the store before the data. */
class ImporterHoldBackTest {

    @Test
    void aManifestWhoseDataIsNeitherInTheStoreNorImportedNowIsHeldBack() throws Exception {
        Path volume = Files.createTempDirectory("vol-002");
        Path storeDir = Files.createTempDirectory("store");
        String prefix = "redis-main/2026/11/28/B1/";
        Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, "B1", "redis-main", "redis", "bgsave", Instant.EPOCH,
                Instant.EPOCH, null, null, "zstd", null, List.of(new Manifest.Artefact("dump.rdb", "dump.rdb.zst", 10, "a", 5, "b"),
                new Manifest.Artefact("key-sample.txt", "key-sample.txt.zst", 10, "c", 5, "d")), Map.of());
        ExportVerifier.Volume vol = volumeWith(volume, 2, prefix, manifest, "key-sample.txt.zst");
        LocalStore store = new LocalStore("local", storeDir, null);

        // dump.rdb is in volume 1, not imported yet
        List<Importer.Copy> copies = copies(vol, prefix + "key-sample.txt.zst", prefix + "manifest.json");
        List<String> reasons = Importer.holdBack(store, copies);
        assertThat(copies).extracting(Importer.Copy::key).containsExactly(prefix + "key-sample.txt.zst");
        assertThat(reasons).singleElement().asString().contains(prefix + "dump.rdb.zst is in another volume");

        // once volume 1 is imported, the manifest goes in
        Files.createDirectories(storeDir.resolve(prefix));
        Files.writeString(storeDir.resolve(prefix + "dump.rdb.zst"), "y");
        copies = copies(vol, prefix + "key-sample.txt.zst", prefix + "manifest.json");
        assertThat(Importer.holdBack(store, copies)).isEmpty();
        assertThat(copies).hasSize(2);
        deleteTrees(volume, storeDir);
    }

    /** A files snapshot whose packs are in a volume not imported yet is held back, though its own artefacts are here. */
    @Test
    void aSnapshotWhoseJobsPacksAreElsewhereIsHeldBack() throws Exception {
        Path volume = Files.createTempDirectory("vol-003");
        Path storeDir = Files.createTempDirectory("store");
        String prefix = "uploads/2026/11/28/S1/";
        Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, "S1", "uploads", "files", "snapshot", Instant.EPOCH,
                Instant.EPOCH, null, null, "zstd", null, List.of(new Manifest.Artefact("files.idx", "files.idx.zst", 10, "a", 5, "b")),
                Map.of());
        ExportVerifier.Volume vol = volumeWith(volume, 3, prefix, manifest, "files.idx.zst");
        LocalStore store = new LocalStore("local", storeDir, null);
        Map<String, List<String>> packs = Map.of("uploads", List.of("uploads/packs/ab/ab12.zst"));

        List<Importer.Copy> copies = copies(vol, prefix + "files.idx.zst", prefix + "manifest.json");
        assertThat(Importer.holdBack(store, copies, packs)).singleElement().asString()
                .contains("uploads/packs/ab/ab12.zst").contains("another volume");
        assertThat(copies).extracting(Importer.Copy::key).containsExactly(prefix + "files.idx.zst");

        Files.createDirectories(storeDir.resolve("uploads/packs/ab"));
        Files.writeString(storeDir.resolve("uploads/packs/ab/ab12.zst"), "p");
        copies = copies(vol, prefix + "files.idx.zst", prefix + "manifest.json");
        assertThat(Importer.holdBack(store, copies, packs)).isEmpty();
        assertThat(copies).hasSize(2);
        deleteTrees(volume, storeDir);
    }

    /** Volume {@code number} in {@code directory}, holding {@code manifest} and the data file of one of its artefacts. */
    private static ExportVerifier.Volume volumeWith(Path directory, int number, String prefix, Manifest manifest,
                                                    String dataFile) throws java.io.IOException {
        Files.createDirectories(directory.resolve(prefix));
        Files.write(directory.resolve(prefix + "manifest.json"), manifest.toJson());
        Files.writeString(directory.resolve(prefix + dataFile), "x");
        return new ExportVerifier.Volume(directory, number);
    }

    /** What an import of this volume would copy, in order (the hashes do not matter to holding back). */
    private static List<Importer.Copy> copies(ExportVerifier.Volume volume, String... keys) {
        List<Importer.Copy> copies = new ArrayList<>();
        for (String key : keys) {
            copies.add(new Importer.Copy(volume, key, "sha-of-" + key));
        }
        return copies;
    }

    private static void deleteTrees(Path... directories) throws java.io.IOException {
        for (Path dir : directories) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
