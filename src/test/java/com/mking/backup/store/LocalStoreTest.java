package com.mking.backup.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalStoreTest extends StoreContractTest {

    @TempDir
    Path root;

    @Override
    protected Store createStore() {
        return new LocalStore("local", root, camel.createProducerTemplate());
    }

    @Test
    void keysCannotEscapeTheRoot() {
        LocalStore store = new LocalStore("local", root, camel.createProducerTemplate());
        assertThatThrownBy(() -> store.put("../outside", new ByteArrayInputStream(new byte[1])))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void neverOverwritesAnExistingArtefact() throws Exception {
        LocalStore store = new LocalStore("local", root, camel.createProducerTemplate());
        store.put("a/data", new ByteArrayInputStream("first".getBytes()));
        assertThatThrownBy(() -> store.put("a/data", new ByteArrayInputStream("second".getBytes())));
        assertThat(Files.readString(root.resolve("a/data"))).isEqualTo("first");
    }

    @Test
    void deletingTheLastFileRemovesEmptyDayDirectories() throws Exception {
        LocalStore store = new LocalStore("local", root, camel.createProducerTemplate());
        store.put("job/2026/01/01/id/data", new ByteArrayInputStream("x".getBytes()));
        store.delete("job/2026/01/01/id/data");
        assertThat(root.resolve("job")).doesNotExist();
        assertThat(root).exists();
    }

    /** Checked with stat, as another local user would meet them: nothing of a backup is readable but by its owner. */
    @Test
    void whatItWritesIsItsOwnersAlone() throws Exception {
        LocalStore store = new LocalStore("local", root, camel.createProducerTemplate());
        store.put("job/2026/01/01/id/dump", new ByteArrayInputStream("an unencrypted dump".getBytes()));
        assertThat(stat(root.resolve("job/2026/01/01/id/dump"))).isEqualTo("600");
        for (String directory : java.util.List.of("job", "job/2026", "job/2026/01/01", "job/2026/01/01/id")) {
            assertThat(stat(root.resolve(directory))).as(directory).isEqualTo("700");
        }
    }

    private static String stat(Path path) throws Exception {
        Process stat = new ProcessBuilder("stat", "-c", "%a", path.toString()).start();
        String mode = new String(stat.getInputStream().readAllBytes()).strip();
        assertThat(stat.waitFor()).isZero();
        return mode;
    }
}
