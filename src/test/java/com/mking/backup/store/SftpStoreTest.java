package com.mking.backup.store;

import com.mking.backup.pipeline.Sha256;
import com.mking.backup.support.TestSftpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sftp store against an in-process SFTP server (Apache SSHD) on loopback over the real filesystem: the contract,
 * checksums computed by the server, a connection cut mid-upload that resumes from the acknowledged offset, and pinned
 * host keys (unknown refused, changed refused, trust on first use only when enabled).
 */
class SftpStoreTest extends StoreContractTest {

    private static TestSftpServer server;

    @TempDir
    Path base;
    @TempDir
    Path local;

    @BeforeAll
    static void startServer() throws Exception {
        server = new TestSftpServer(true);
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @Override
    protected Store createStore() throws Exception {
        Path knownHosts = local.resolve("known_hosts");
        if (!Files.exists(knownHosts)) {
            server.pin(knownHosts);
        }
        return store(knownHosts, false, true);
    }

    private SftpStore store(Path knownHosts, boolean trustOnFirstUse, boolean serverChecksum) {
        return new SftpStore("backup-server", new SftpStore.Settings("127.0.0.1", server.port(), "backup", server.key(), null,
                knownHosts, trustOnFirstUse, base.resolve("mking").toString(), serverChecksum, 5, Duration.ofSeconds(10)));
    }

    @Test
    void theServerHashesItsCopyAndReportsItsFilesystem() throws Exception {
        SftpStore store = (SftpStore) createStore();
        byte[] data = "a WAL segment, say".repeat(1000).getBytes();
        store.put("job/2026/11/28/id/data.zst.enc", new ByteArrayInputStream(data));
        assertThat(store.storedSha256("job/2026/11/28/id/data.zst.enc"))
                .contains(Sha256.of(new ByteArrayInputStream(data)).sha256());
        assertThat(Files.readAllBytes(base.resolve("mking/job/2026/11/28/id/data.zst.enc"))).isEqualTo(data);
        long[] usage = store.filesystemUsage().orElseThrow();
        assertThat(usage[1]).isPositive();
        assertThat(usage[0]).isBetween(1L, usage[1]);
    }

    @Test
    void aServerThatRunsNoCommandsIsCheckedByReadingBack() throws Exception {
        try (TestSftpServer sftpOnly = new TestSftpServer(false)) {
            Path knownHosts = local.resolve("sftp-only_known_hosts");
            sftpOnly.pin(knownHosts);
            SftpStore store = new SftpStore("backup-server", new SftpStore.Settings("127.0.0.1", sftpOnly.port(), "backup",
                    sftpOnly.key(), null, knownHosts, false, base.resolve("only").toString(), true, 3, Duration.ofSeconds(10)));
            store.put("a/b", new ByteArrayInputStream("x".getBytes()));
            assertThat(store.storedSha256("a/b")).isEmpty();
            assertThat(store.filesystemUsage()).isEmpty();
            try (InputStream in = store.get("a/b")) {
                assertThat(in.readAllBytes()).isEqualTo("x".getBytes());
            }
        }
    }

    @Test
    void aConnectionCutMidUploadResumesFromTheAcknowledgedOffset() throws Exception {
        SftpStore store = (SftpStore) createStore();
        long size = 24L << 20;
        long before = server.bytesWritten();
        InputStream cutOnce = new RandomStream(size, 11) {
            private boolean cut;

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (!cut && position() > (9L << 20)) {
                    cut = true;
                    server.cutConnections();
                }
                return super.read(buffer, offset, length);
            }
        };
        assertThat(store.put("job/2026/11/28/id/base.tar.zst.enc", cutOnce)).isEqualTo(size);
        assertThat(Sha256.of(store.get("job/2026/11/28/id/base.tar.zst.enc")))
                .isEqualTo(Sha256.of(new RandomStream(size, 11)));
        long resent = server.bytesWritten() - before - size;
        assertThat(resent).as("bytes sent twice").isBetween(0L, (long) SftpStore.SEGMENT);
        try (Stream<Path> files = Files.walk(base)) {
            assertThat(files.map(Path::getFileName).map(Path::toString))
                    .noneMatch(name -> name.startsWith(SftpStore.PARTIAL_PREFIX));
        }
    }

    @Test
    void aChangedHostKeyIsRefusedAndAnUnknownOneOnlyTrustedWhenAsked() throws Exception {
        Path changed = local.resolve("changed_known_hosts");
        java.security.KeyPair other = org.apache.sshd.common.config.keys.KeyUtils.generateKeyPair("ssh-ed25519", 256);
        Files.writeString(changed, "[127.0.0.1]:" + server.port() + " "
                + org.apache.sshd.common.config.keys.PublicKeyEntry.toString(other.getPublic()) + "\n");
        assertThatThrownBy(() -> store(changed, true, true).put("x/y", new ByteArrayInputStream(new byte[1])))
                .isInstanceOf(SftpStore.HostKeyException.class).hasMessageContaining("changed")
                .hasMessageContaining(changed.toString());

        Path empty = local.resolve("empty_known_hosts");
        assertThatThrownBy(() -> store(empty, false, true).list(""))
                .isInstanceOf(SftpStore.HostKeyException.class).hasMessageContaining("is not in")
                .hasMessageContaining("trust-on-first-use");
        store(empty, true, true).put("x/y", new ByteArrayInputStream(new byte[1]));
        assertThat(Files.readString(empty)).contains("127.0.0.1");
        assertThat(store(empty, false, true).list("x/")).containsExactly("x/y");
    }

    /** Operator mistakes in the store's properties name the property and the fix (the CLI exits 2 on them). */
    @Test
    void aMisconfiguredStoreNamesThePropertyAndTheFix() throws Exception {
        java.util.Properties properties = new java.util.Properties();
        properties.setProperty("mking.stores", "local,backup");
        properties.setProperty("mking.store.local.path", local.resolve("store").toString());
        properties.setProperty("mking.store.backup.type", "sftp");
        properties.setProperty("mking.store.backup.host", "127.0.0.1");
        properties.setProperty("mking.store.backup.user", "backup");
        properties.setProperty("mking.store.backup.path", "/srv/backups");
        properties.setProperty("mking.store.backup.key-file", local.resolve("no-such-key").toString());
        camel.getPropertiesComponent().setInitialProperties(properties);
        com.mking.backup.config.Settings settings = new com.mking.backup.config.Settings(camel);
        assertThatThrownBy(() -> StoreRegistry.fromSettings(settings, camel))
                .isInstanceOf(com.mking.backup.config.ConfigException.class)
                .hasMessageContaining("mking.store.backup.key-file").hasMessageContaining("ssh-keygen");
        properties.setProperty("mking.store.backup.key-file", server.key().toString());
        properties.setProperty("mking.store.backup.port", "70000");
        assertThatThrownBy(() -> StoreRegistry.fromSettings(settings, camel))
                .hasMessageContaining("mking.store.backup.port");
        properties.setProperty("mking.store.backup.port", "22");
        assertThat(StoreRegistry.fromSettings(settings, camel).get("backup").describe())
                .isEqualTo("sftp:backup@127.0.0.1:22//srv/backups");
    }

    @Test
    void keysCannotEscapeTheBaseDirectory() throws Exception {
        Store store = createStore();
        assertThatThrownBy(() -> store.put("../outside", new ByteArrayInputStream(new byte[1])))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anExistingKeyIsNeverReplaced() throws Exception {
        Store store = createStore();
        store.put("a/data", new ByteArrayInputStream("first".getBytes()));
        assertThatThrownBy(() -> store.put("a/data", new ByteArrayInputStream("second".getBytes())))
                .hasMessageContaining("already exists");
        assertThat(Files.readString(base.resolve("mking/a/data"))).isEqualTo("first");
    }
}
