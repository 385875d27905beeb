package com.mking.backup.pipeline;

import com.mking.backup.store.LocalStore;
import com.mking.backup.store.Store;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The stream stages end to end: encode into stores, decode back, and the ways that must fail. */
class ArtefactPipelineTest {

    @TempDir
    Path dir;

    private CamelContext camel;
    private Keyring keyring;
    private Store first;
    private Store second;
    private byte[] data;

    @BeforeEach
    void setUp() throws Exception {
        camel = new DefaultCamelContext();
        camel.start();
        Keyring.generate(dir.resolve("keys"), "k1");
        keyring = Keyring.load(dir.resolve("keys"), "k1");
        first = new LocalStore("first", dir.resolve("first"), camel.createProducerTemplate());
        second = new LocalStore("second", dir.resolve("second"), camel.createProducerTemplate());
        data = new byte[3 * 1024 * 1024 + 17];
        Random random = new Random(42);
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (random.nextInt(16) + 'a');
        }
    }

    @AfterEach
    void tearDown() {
        camel.stop();
    }

    @ParameterizedTest
    @CsvSource({"zstd,false", "zstd,true", "gzip,false", "gzip,true", "none,false", "none,true"})
    void roundTripsThroughEveryEncoding(String compression, boolean encrypt) throws IOException {
        ArtefactWriter writer = writer(compression, encrypt);
        AtomicLong progress = new AtomicLong();
        Manifest.Artefact artefact = writer.write("b/data", "dump", new ByteArrayInputStream(data), List.of(first, second),
                "backup-1", progress);
        Manifest manifest = manifest(compression, writer.encryption(), artefact);

        assertThat(progress.get()).isEqualTo(data.length);
        assertThat(artefact.rawSize()).isEqualTo(data.length);
        assertThat(artefact.rawSha256()).isEqualTo(Sha256.of(new ByteArrayInputStream(data)).sha256());
        for (Store store : List.of(first, second)) {
            ArtefactReader reader = new ArtefactReader(keyring);
            reader.verifyStored(store, "b/data", artefact);
            assertThat(reader.openRaw(store, "b/data", manifest, artefact).readAllBytes()).isEqualTo(data);
        }
        if (!compression.equals("none")) {
            assertThat(artefact.storedSize()).isLessThan(data.length * 6L / 10);
        }
    }

    @Test
    void aSourceFailingMidwayLeavesNothingInAnyStore() {
        InputStream failing = new InputStream() {
            private int read;

            @Override
            public int read() throws IOException {
                if (++read > 2_000_000) {
                    throw new IOException("pg_dump died");
                }
                return 'x';
            }
        };
        assertThatThrownBy(() -> writer("zstd", true).write("b/data", "dump", failing, List.of(first, second), "id",
                new AtomicLong())).hasMessageContaining("pg_dump died");
        assertThat(dir.resolve("first/b/data")).doesNotExist();
        assertThat(dir.resolve("second/b/data")).doesNotExist();
    }

    /** A stage that cannot start (a cipher without its key) fails the write like a source would: nothing is left. */
    @Test
    void aStageFailingToStartLeavesNothingAndEndsEveryUpload() {
        ArtefactStages stages = new ArtefactStages().checksum().add("encrypt", out -> {
            throw new IOException("key k9 is not in the key directory");
        });
        assertThatThrownBy(() -> writer("zstd", true).write("b/data", "dump", new ByteArrayInputStream(data), stages,
                List.of(first, second), new AtomicLong())).hasMessageContaining("key k9 is not in the key directory");
        assertThat(dir.resolve("first/b/data")).doesNotExist();
        assertThat(dir.resolve("second/b/data")).doesNotExist();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces()
                .keySet().stream().noneMatch(thread -> thread.getName().equals("store-upload") && thread.isAlive()));
    }

    @Test
    void oneStoreFailingRemovesTheOtherCopy() {
        Store broken = new Store() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public long put(String key, InputStream in) throws IOException {
                in.readNBytes(100_000);
                throw new IOException("disk full in store 'broken'");
            }

            @Override
            public InputStream get(String key) throws IOException {
                throw new java.io.FileNotFoundException(key);
            }

            @Override
            public java.util.Optional<Long> size(String key) {
                return java.util.Optional.empty();
            }

            @Override
            public List<String> list(String prefix) {
                return List.of();
            }

            @Override
            public void delete(String key) {
            }

            @Override
            public int removeIncomplete(String prefix, java.time.Instant startedBefore) {
                return 0;
            }

            @Override
            public String describe() {
                return "broken";
            }
        };
        assertThatThrownBy(() -> writer("zstd", false).write("b/data", "dump", new ByteArrayInputStream(data),
                List.of(first, broken), "id", new AtomicLong())).hasMessageContaining("disk full");
        assertThat(dir.resolve("first/b/data")).doesNotExist();
    }

    @Test
    void tamperedBytesAreDetected() throws IOException {
        ArtefactWriter writer = writer("zstd", false);
        Manifest.Artefact artefact = writer.write("b/data", "dump", new ByteArrayInputStream(data), List.of(first), "id",
                new AtomicLong());
        try (RandomAccessFile file = new RandomAccessFile(dir.resolve("first/b/data").toFile(), "rw")) {
            file.seek(100);
            file.write(0);
        }
        ArtefactReader reader = new ArtefactReader(keyring);
        assertThatThrownBy(() -> reader.verifyStored(first, "b/data", artefact)).isInstanceOf(ChecksumMismatchException.class);
        Manifest manifest = manifest("zstd", null, artefact);
        assertThatThrownBy(() -> reader.openRaw(first, "b/data", manifest, artefact).readAllBytes())
                .isInstanceOf(IOException.class);
    }

    /** From 64 MiB, reading and decryption run on one thread, decompression on another, ahead of the caller: the same bytes, the same verdicts. */
    @Test
    void aLargeArtefactDecodesTheSameAndItsDamageIsStillCorruption() throws IOException {
        byte[] large = new byte[72 << 20]; // random: stored as large as it is raw
        new Random(7).nextBytes(large);
        ArtefactWriter writer = writer("zstd", true);
        Manifest.Artefact artefact = writer.write("b/large", "dump", new ByteArrayInputStream(large), List.of(first),
                "backup-1", new AtomicLong());
        Manifest manifest = manifest("zstd", writer.encryption(), artefact);
        ArtefactReader reader = new ArtefactReader(keyring);
        assertThat(artefact.storedSize()).isGreaterThan(64L << 20);
        try (InputStream raw = reader.openRaw(first, "b/large", manifest, artefact)) {
            assertThat(Sha256.of(raw).sha256()).isEqualTo(artefact.rawSha256());
        }

        try (RandomAccessFile file = new RandomAccessFile(dir.resolve("first/b/large").toFile(), "rw")) {
            file.seek(50L << 20);
            int b = file.read();
            file.seek(50L << 20);
            file.write(b ^ 1);
        }
        assertThatThrownBy(() -> {
            try (InputStream raw = reader.openRaw(first, "b/large", manifest, artefact)) {
                raw.transferTo(java.io.OutputStream.nullOutputStream());
            }
        }).isInstanceOf(CorruptArtefactException.class).hasMessageContaining("authentication of b/large");
    }

    @Test
    void aDifferentKeyUnderTheSameIdIsReportedAsAWrongKey() throws IOException {
        ArtefactWriter writer = writer("zstd", true);
        Manifest.Artefact artefact = writer.write("b/data", "dump", new ByteArrayInputStream(data), List.of(first), "id",
                new AtomicLong());
        Manifest manifest = manifest("zstd", writer.encryption(), artefact);
        Files.delete(dir.resolve("keys/k1.key"));
        Keyring.generate(dir.resolve("keys"), "k1");
        ArtefactReader reader = new ArtefactReader(Keyring.load(dir.resolve("keys"), "k1"));
        assertThatThrownBy(() -> reader.openRaw(first, "b/data", manifest, artefact))
                .hasMessageContaining("wrong encryption key").hasMessageContaining("'k1'");
        ArtefactReader withoutKey = new ArtefactReader(Keyring.none());
        assertThatThrownBy(() -> withoutKey.openRaw(first, "b/data", manifest, artefact))
                .hasMessageContaining("k1.key");
    }

    @Test
    void encryptedDataIsBoundToItsBackupId() throws IOException {
        ArtefactWriter writer = writer("none", true);
        Manifest.Artefact artefact = writer.write("b/data", "dump", new ByteArrayInputStream(data), List.of(first), "backup-A",
                new AtomicLong());
        Manifest other = new Manifest(1, "backup-B", "job", "pg-logical", "logical", null, null, null, null, "none",
                writer.encryption(), List.of(artefact), java.util.Map.of());
        assertThatThrownBy(() -> new ArtefactReader(keyring).openRaw(first, "b/data", other, artefact).readAllBytes())
                .isInstanceOf(IOException.class);
    }

    @Test
    void newBackupsAreEncryptedInTheCurrentFormat() throws IOException {
        assertThat(writer("zstd", true).encryption().algorithm()).isEqualTo("AES256-GCM-HKDF-4KB");
    }

    /** An artefact written by the version before 2026-11-27 (1 MiB segments), kept as it was stored. */
    @Test
    void backupsWrittenInTheEarlierFormatStayReadable() throws Exception {
        Path fixture = Path.of(getClass().getResource("/formats/aes256-gcm-hkdf-1mb").toURI());
        Store store = new LocalStore("local", fixture.resolve("store"), camel.createProducerTemplate());
        String folder = "fixture/20261101T020000Z-legacy/";
        Manifest manifest = Manifest.read(store.get(folder + Manifest.FILE_NAME));
        ArtefactReader reader = new ArtefactReader(Keyring.load(fixture.resolve("keys"), ""));

        assertThat(manifest.encryption().algorithm()).isEqualTo("AES256-GCM-HKDF-1MB");
        try (InputStream raw = reader.openRaw(store, folder + manifest.artefact().storedName(), manifest, manifest.artefact())) {
            byte[] bytes = raw.readAllBytes(); // the raw SHA-256 of the manifest is checked at the end
            assertThat(bytes).hasSize(60027);
            assertThat(new String(bytes, 0, 6)).isEqualTo("row 0 ");
        }
        Manifest.Encryption asIfCurrent = new Manifest.Encryption(EncryptionFormat.CURRENT.id(),
                manifest.encryption().keyId(), manifest.encryption().keyFingerprint());
        assertThatThrownBy(() -> reader.openRaw(store, folder + manifest.artefact().storedName(),
                new Manifest(1, manifest.backupId(), manifest.job(), manifest.source(), manifest.method(), null, null, null,
                        null, "zstd", asIfCurrent, manifest.artefacts(), java.util.Map.of()), manifest.artefact()).readAllBytes())
                .as("the segment size matters: the format must come from the manifest").isInstanceOf(IOException.class);
    }

    @Test
    void aFormatOfANewerVersionIsNotMistakenForABadCopy() throws IOException {
        ArtefactWriter writer = writer("zstd", true);
        Manifest.Artefact artefact = writer.write("b/data", "dump", new ByteArrayInputStream(data), List.of(first), "backup-1",
                new AtomicLong());
        Manifest.Encryption newer = new Manifest.Encryption("XCHACHA20-POLY1305-64KB", "k1", keyring.fingerprint("k1"));
        assertThatThrownBy(() -> new ArtefactReader(keyring).openRaw(first, "b/data", manifest("zstd", newer, artefact), artefact))
                .isNotInstanceOf(CorruptArtefactException.class)
                .hasMessageContaining("encryption format 'XCHACHA20-POLY1305-64KB' is unknown to this version")
                .hasMessageContaining("AES256-GCM-HKDF-1MB, AES256-GCM-HKDF-4KB");
    }

    private ArtefactWriter writer(String compression, boolean encrypt) {
        return new ArtefactWriter(new PipelineSettings(Compression.parse(compression), 3, 2, encrypt, true),
                encrypt ? keyring : Keyring.none());
    }

    private static Manifest manifest(String compression, Manifest.Encryption encryption, Manifest.Artefact artefact) {
        return new Manifest(1, "backup-1", "job", "pg-logical", "logical", null, null, null, null, compression,
                encryption, List.of(artefact), java.util.Map.of());
    }
}
