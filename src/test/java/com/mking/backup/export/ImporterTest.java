package com.mking.backup.export;

import com.mking.backup.pipeline.Sha256;
import com.mking.backup.store.ForwardingStore;
import com.mking.backup.store.LocalStore;
import com.mking.backup.store.Store;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An imported file counts only once the store gives it back whole. */
class ImporterTest {

    private static final String KEY = "db/2026/11/29/B1/dump.pgdump.zst";
    private static final byte[] DATA = "an exported artefact".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path volumeDir;
    @TempDir
    Path storeDir;
    private CamelContext camel;

    @BeforeEach
    void startCamel() {
        camel = new DefaultCamelContext();
        camel.start();
    }

    @AfterEach
    void stopCamel() {
        camel.stop();
    }

    @Test
    void aFileIsImportedAndReadBackWhole() throws IOException {
        LocalStore store = new LocalStore("local", storeDir, camel.createProducerTemplate());
        assertThat(Importer.put(store, copy())).isEqualTo(DATA.length);
        assertThat(Files.readAllBytes(storeDir.resolve(KEY))).isEqualTo(DATA);
    }

    /** A store that keeps other bytes than it was given (a failing disk, a proxy): the copy is removed, not counted. */
    @Test
    void aCopyTheStoreGivesBackDifferentlyIsRemovedAndNamed() throws IOException {
        Store damaging = new ForwardingStore(new LocalStore("local", storeDir, camel.createProducerTemplate())) {
            @Override
            public String name() {
                return "damaging";
            }

            @Override
            public long put(String key, InputStream data) throws IOException {
                byte[] bytes = data.readAllBytes();
                bytes[bytes.length - 1] ^= 1;
                return store.put(key, new ByteArrayInputStream(bytes));
            }

            @Override
            public long putReadBack(String key, InputStream data) throws IOException {
                return put(key, data);
            }
        };
        assertThatThrownBy(() -> Importer.put(damaging, copy())).isInstanceOf(IOException.class)
                .hasMessageContaining(KEY).hasMessageContaining("reads back from store 'damaging' differently")
                .hasMessageContaining("not imported");
        assertThat(storeDir.resolve(KEY)).doesNotExist();
    }

    private Importer.Copy copy() throws IOException {
        Files.createDirectories(volumeDir.resolve(KEY).getParent());
        Files.write(volumeDir.resolve(KEY), DATA);
        return new Importer.Copy(new ExportVerifier.Volume(volumeDir, 1), KEY, Sha256.of(new ByteArrayInputStream(DATA)).sha256());
    }
}
