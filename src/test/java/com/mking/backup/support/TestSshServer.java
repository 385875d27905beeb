package com.mking.backup.support;

import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.AcceptAllPublickeyAuthenticator;

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
            return new ShellCommand(command);
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

    /**
     * A command line run as sshd runs it (a shell's {@code -c}), its exit reported only once all its output was sent.
     * With Apache SSHD's own process shell a short command now and then read as empty with exit 0 (LASTSAVE, in CI).
     */
    private static final class ShellCommand implements org.apache.sshd.server.command.Command {
        private final String line;
        private java.io.InputStream in;
        private java.io.OutputStream out;
        private java.io.OutputStream err;
        private org.apache.sshd.server.ExitCallback exit;
        private Process process;

        ShellCommand(String line) {
            this.line = line;
        }

        @Override
        public void setInputStream(java.io.InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(java.io.OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(java.io.OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(org.apache.sshd.server.ExitCallback exit) {
            this.exit = exit;
        }

        @Override
        public void start(org.apache.sshd.server.channel.ChannelSession channel, org.apache.sshd.server.Environment environment)
                throws java.io.IOException {
            process = new ProcessBuilder("/bin/sh", "-c", line).start();
            daemon(() -> {
                try (java.io.OutputStream stdin = process.getOutputStream()) {
                    in.transferTo(stdin);
                }
            });
            Thread errors = daemon(() -> copy(process.getErrorStream(), err));
            daemon(() -> {
                int code = 255;
                try {
                    copy(process.getInputStream(), out);
                    errors.join();
                    code = process.waitFor();
                } finally {
                    exit.onExit(code);
                }
            });
        }

        @Override
        public void destroy(org.apache.sshd.server.channel.ChannelSession channel) {
            if (process != null) {
                process.destroyForcibly();
            }
        }

        private static void copy(java.io.InputStream from, java.io.OutputStream to) throws java.io.IOException {
            from.transferTo(to);
            to.flush();
        }

        private interface Work {
            void run() throws Exception;
        }

        private static Thread daemon(Work work) {
            Thread thread = new Thread(() -> {
                try {
                    work.run();
                } catch (Exception ignored) {
                    // the client went away, or the command was destroyed: its exit (or none) says the rest
                }
            });
            thread.setDaemon(true);
            thread.start();
            return thread;
        }
    }
}
