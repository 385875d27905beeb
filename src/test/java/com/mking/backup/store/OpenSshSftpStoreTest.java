package com.mking.backup.store;

import com.mking.backup.pipeline.Sha256;
import com.mking.backup.support.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sftp store against Debian's OpenSSH server ({@code sshd -D} with its own configuration on a loopback port, as root
 * with a key): what a real backup server runs, its {@code internal-sftp}, {@code sha256sum} and {@code df}.
 */
class OpenSshSftpStoreTest extends StoreContractTest {

    private static final Path SSHD = Path.of("/usr/sbin/sshd");
    /** As the README gives it for the backup server's authorized_keys. */
    private static final String APPEND_ONLY_OPTIONS = "restrict,command=\"/usr/lib/openssh/sftp-server "
            + "-P remove,rmdir,setstat,fsetstat,lsetstat,posix-rename\"";
    private static Path home;
    private static Process sshd;
    private static int port;

    @BeforeAll
    static void startOpenSsh() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(SSHD), "openssh-server is not installed (.ci/run installs it)");
        home = Files.createTempDirectory("openssh");
        // sshd reads a user's authorized keys as that user; PAM (not sshd's own check) lets a key log in to an account
        // without a password, such as Debian's postgres
        Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        TestCluster.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", home.resolve("host_ed25519").toString());
        TestCluster.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", home.resolve("id").toString());
        Files.copy(home.resolve("id.pub"), home.resolve("authorized_keys_root"));
        // a second account whose key can write but not delete: the append-only credentials the README describes
        TestCluster.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", home.resolve("id_append").toString());
        Files.writeString(home.resolve("authorized_keys_postgres"), APPEND_ONLY_OPTIONS + " "
                + Files.readString(home.resolve("id_append.pub")));
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Files.writeString(home.resolve("sshd_config"), String.join("\n",
                "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + home.resolve("host_ed25519"),
                "PidFile " + home.resolve("sshd.pid"), "AuthorizedKeysFile " + home.resolve("authorized_keys_%u"),
                "StrictModes no", "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM yes",
                "PermitRootLogin prohibit-password", "Subsystem sftp internal-sftp", ""));
        Files.createDirectories(Path.of("/run/sshd")); // its privilege separation directory
        sshd = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", home.resolve("sshd_config").toString())
                .redirectErrorStream(true).redirectOutput(home.resolve("sshd.log").toFile()).start();
        for (int i = 0; i < 100; i++) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                break;
            } catch (java.io.IOException notYet) {
                Thread.sleep(100);
            }
        }
        Files.writeString(home.resolve("known_hosts"), "[127.0.0.1]:" + port + " "
                + Files.readString(home.resolve("host_ed25519.pub")));
    }

    @AfterAll
    static void stopOpenSsh() throws Exception {
        if (sshd != null) {
            sshd.destroy();
            sshd.waitFor();
            TestCluster.run("rm", "-rf", home.toString());
        }
    }

    @Override
    protected Store createStore() {
        return new SftpStore("backup-server", new SftpStore.Settings("127.0.0.1", port, "root", home.resolve("id"), null,
                home.resolve("known_hosts"), false, home.resolve("store-" + UUID.randomUUID()).toString(), true, 3,
                Duration.ofSeconds(10)));
    }

    @Test
    void sha256sumAndDfRunOnTheServer() throws Exception {
        SftpStore store = (SftpStore) createStore();
        byte[] data = "base backup bytes".repeat(5000).getBytes();
        store.put("job/2026/11/28/id/base.tar.zst.enc", new ByteArrayInputStream(data));
        assertThat(store.storedSha256("job/2026/11/28/id/base.tar.zst.enc"))
                .contains(Sha256.of(new ByteArrayInputStream(data)).sha256());
        long[] usage = store.filesystemUsage().orElseThrow();
        assertThat(usage[1]).isPositive();
        assertThat(usage[0]).isBetween(1L, usage[1]);
    }

    /**
     * Append-only credentials (a forced {@code sftp-server -P remove,rmdir,setstat,...}, logging in as a user that is not
     * root): backups are written, read back and published; what ransomware holding the key would try next fails, as
     * OpenSSH's own {@code sftp} client shows: deleting, making a stored file writable again, truncating it by writing
     * over it. The privileged configuration of the same directory (another key) deletes.
     */
    @Test
    void appendOnlyCredentialsWriteButCannotDeleteOrOverwrite() throws Exception {
        Path base = Files.createTempDirectory("append-only");
        TestCluster.run("chown", "postgres", base.toString());
        SftpStore store = new SftpStore("backup-server", new SftpStore.Settings("127.0.0.1", port, "postgres",
                home.resolve("id_append"), null, home.resolve("known_hosts"), false, base.toString(), true, 3,
                Duration.ofSeconds(10), true));
        String key = "job/2026/11/28/id/data.zst.enc";
        byte[] data = new byte[5 << 20];
        new java.util.Random(5).nextBytes(data);
        assertThat(store.put(key, new ByteArrayInputStream(data))).isEqualTo(data.length);
        Path stored = base.resolve(key);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(stored)))
                .isEqualTo("r--r--r--");
        try (java.io.InputStream in = store.get(key)) {
            assertThat(Sha256.of(in).sha256()).isEqualTo(Sha256.of(new ByteArrayInputStream(data)).sha256());
        }
        assertThat(store.storedSha256(key)).as("the forced command runs no sha256sum: read back").isEmpty();
        assertThatThrownBy(() -> store.delete(key)).isInstanceOf(java.io.IOException.class);

        Path empty = Files.createTempFile("empty", "");
        for (String attack : java.util.List.of("rm " + stored, "chmod 644 " + stored, "put " + empty + " " + stored,
                "rename " + stored + " " + stored + ".gone")) {
            Path batch = Files.writeString(Files.createTempFile("sftp", ".batch"), attack + "\n");
            Process sftp = new ProcessBuilder("sftp", "-b", batch.toString(), "-i", home.resolve("id_append").toString(),
                    "-P", Integer.toString(port), "-o", "UserKnownHostsFile=" + home.resolve("known_hosts"),
                    "-o", "BatchMode=yes", "postgres@127.0.0.1").redirectErrorStream(true).start();
            String output = new String(sftp.getInputStream().readAllBytes());
            sftp.waitFor();
            if (attack.startsWith("rename")) { // a rename keeps the bytes: it is allowed (publishing needs it); put it back
                assertThat(sftp.exitValue()).as(output).isZero();
                Files.move(Path.of(stored + ".gone"), stored);
                continue;
            }
            assertThat(sftp.exitValue()).as(attack + ": " + output).isNotZero();
        }
        assertThat(Files.readAllBytes(stored)).as("the stored bytes, after every attempt").isEqualTo(data);

        SftpStore privileged = new SftpStore("backup-server", new SftpStore.Settings("127.0.0.1", port, "root",
                home.resolve("id"), null, home.resolve("known_hosts"), false, base.toString(), true, 3, Duration.ofSeconds(10)));
        privileged.delete(key);
        assertThat(stored).doesNotExist();
        store.stop();
        privileged.stop();
    }

    /**
     * The daemon's configuration logs in with the append-only key: its prune keeps every copy on the backup server (and
     * says why) while it prunes the local store; the privileged configuration (same store, the unrestricted key) prunes
     * the backup server.
     */
    @Test
    void pruneLeavesAnAppendOnlyStoreToThePrivilegedConfiguration() throws Exception {
        Path base = Files.createTempDirectory("append-only-prune");
        TestCluster.run("chown", "postgres", base.toString());
        String database = com.mking.backup.support.TestDatabases.uniqueName("appendonly");
        com.mking.backup.support.TestDatabases.create(database);
        try (com.mking.backup.support.TestInstallation installation = new com.mking.backup.support.TestInstallation()) {
            installation.set("mking.stores", "local,backup").set("mking.store.backup.type", "sftp")
                    .set("mking.store.backup.host", "127.0.0.1").set("mking.store.backup.port", Integer.toString(port))
                    .set("mking.store.backup.user", "postgres").set("mking.store.backup.key-file", home.resolve("id_append").toString())
                    .set("mking.store.backup.known-hosts", home.resolve("known_hosts").toString())
                    .set("mking.store.backup.path", base.toString()).set("mking.store.backup.append-only", "true")
                    .withJob("pg-logical", "orders", java.util.Map.of("database", database, "stores", "local,backup",
                            "keepLast", "1", "keepDaily", "0", "keepWeekly", "0", "keepMonthly", "0", "keepYearly", "0"));
            java.util.List<String> ids = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                com.mking.backup.support.CliResult run = installation.cli("run", "orders");
                assertThat(run.exitCode()).as(run.all()).isEqualTo(0);
                ids.add(run.backupId("orders"));
            }
            com.mking.backup.support.CliResult prune = installation.cli("prune");
            assertThat(prune.exitCode()).as(prune.all()).isEqualTo(0);
            assertThat(prune.out()).contains("keep   " + ids.get(0) + "  append-only store");
            assertThat(backupDirectories(base)).as("on the backup server").hasSize(2);
            assertThat(backupDirectories(installation.localStore())).as("local").hasSize(1);

            installation.set("mking.store.backup.user", "root").set("mking.store.backup.key-file", home.resolve("id").toString())
                    .set("mking.store.backup.append-only", "false");
            com.mking.backup.support.CliResult privileged = installation.cli("prune");
            assertThat(privileged.exitCode()).as(privileged.all()).isEqualTo(0);
            assertThat(privileged.out()).contains("delete " + ids.get(0));
            assertThat(backupDirectories(base)).as("on the backup server, pruned by the privileged key").hasSize(1);
        } finally {
            com.mking.backup.support.TestDatabases.dropAll(database);
        }
    }

    /** The backup directories (those holding a manifest) under a store's base. */
    private static java.util.List<Path> backupDirectories(Path base) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(base)) {
            return files.filter(file -> file.getFileName().toString().equals("manifest.json")).map(Path::getParent).toList();
        }
    }
}
