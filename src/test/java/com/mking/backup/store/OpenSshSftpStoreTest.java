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

/**
 * The sftp store against Debian's OpenSSH server ({@code sshd -D} with its own configuration on a loopback port, as root
 * with a key): what a real backup server runs, its {@code internal-sftp}, {@code sha256sum} and {@code df}.
 */
class OpenSshSftpStoreTest extends StoreContractTest {

    private static final Path SSHD = Path.of("/usr/sbin/sshd");
    private static Path home;
    private static Process sshd;
    private static int port;

    @BeforeAll
    static void startOpenSsh() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(SSHD), "openssh-server is not installed (.ci/run installs it)");
        home = Files.createTempDirectory("openssh");
        TestCluster.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", home.resolve("host_ed25519").toString());
        TestCluster.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", home.resolve("id").toString());
        Files.copy(home.resolve("id.pub"), home.resolve("authorized_keys"));
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Files.writeString(home.resolve("sshd_config"), String.join("\n",
                "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + home.resolve("host_ed25519"),
                "PidFile " + home.resolve("sshd.pid"), "AuthorizedKeysFile " + home.resolve("authorized_keys"),
                "StrictModes no", "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no",
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
}
