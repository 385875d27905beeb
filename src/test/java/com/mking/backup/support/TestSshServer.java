package com.mking.backup.support;

import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.AcceptAllPublickeyAuthenticator;
import org.apache.sshd.server.shell.ProcessShellCommandFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An SSH server on loopback (Apache SSHD) that runs each command in a local shell, as a remote database host would, and
 * records which client ran what: OpenSSH ({@code SSH-2.0-OpenSSH_...}) for streamed dumps, camel-ssh
 * ({@code SSH-2.0-APACHE-SSHD-...}) for short commands. Clients log in with the ed25519 key {@link #key()}.
 */
public final class TestSshServer implements AutoCloseable {

    /** One command the server ran, with the client's version string. */
    public record Command(String client, String line) {
    }

    private final SshServer sshd = SshServer.setUpDefaultServer();
    private final Path keys;
    private final List<Command> commands = new CopyOnWriteArrayList<>();

    public TestSshServer() throws Exception {
        keys = Files.createTempDirectory("ssh-keys");
        TestCluster.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keys.resolve("id").toString());
        sshd.setHost("127.0.0.1");
        sshd.setPort(0);
        // two host keys, as real servers have: OpenSSH and camel-ssh must agree on which one they pin
        java.security.KeyPair ecdsa = org.apache.sshd.common.config.keys.KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256);
        java.security.KeyPair ed25519 = org.apache.sshd.common.config.keys.KeyUtils.generateKeyPair("ssh-ed25519", 256);
        sshd.setKeyPairProvider(org.apache.sshd.common.keyprovider.KeyPairProvider.wrap(ecdsa, ed25519));
        sshd.setPublickeyAuthenticator(AcceptAllPublickeyAuthenticator.INSTANCE);
        sshd.setCommandFactory((channel, command) -> {
            commands.add(new Command(channel.getSession().getClientVersion(), command));
            return ProcessShellCommandFactory.INSTANCE.createCommand(channel, command);
        });
        sshd.start();
    }

    public int port() {
        return sshd.getPort();
    }

    /** The client's private key (ed25519, no passphrase). */
    public Path key() {
        return keys.resolve("id");
    }

    /** {@code root@127.0.0.1:PORT}, a job's ssh parameter. */
    public String target() {
        return "root@127.0.0.1:" + port();
    }

    /** Logs in once with the OpenSSH client, pinning the host key it prefers in {@code knownHosts} (accept-new). */
    public void pinWithOpenSsh(Path knownHosts) throws Exception {
        Files.createDirectories(knownHosts.getParent());
        TestCluster.run("ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=accept-new", "-o",
                "UserKnownHostsFile=" + knownHosts, "-o", "IdentitiesOnly=yes", "-i", key().toString(), "-p",
                Integer.toString(port()), "root@127.0.0.1", "true");
    }

    public List<Command> commands() {
        return List.copyOf(commands);
    }

    @Override
    public void close() throws Exception {
        sshd.stop(true);
    }
}
