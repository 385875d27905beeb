package com.mking.backup.support;

import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.AcceptAllPublickeyAuthenticator;
import org.apache.sshd.server.shell.ProcessShellCommandFactory;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;

/**
 * An SFTP server on loopback (Apache SSHD, in-process) over the real filesystem, as a backup server is: SFTP for the
 * store, and (unless {@code commands} is false) exec of shell commands for {@code sha256sum} and {@code df}. Clients log
 * in with {@link #key()}. {@link #cutConnections()} drops every session, as a broken network does.
 */
public final class TestSftpServer implements AutoCloseable {

    private final SshServer sshd = SshServer.setUpDefaultServer();
    private final Path keys;
    private final KeyPair hostKey;
    private final java.util.concurrent.atomic.AtomicLong bytesWritten = new java.util.concurrent.atomic.AtomicLong();

    public TestSftpServer(boolean commands) throws Exception {
        keys = Files.createTempDirectory("sftp-keys");
        TestCluster.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keys.resolve("id").toString());
        hostKey = org.apache.sshd.common.config.keys.KeyUtils.generateKeyPair("ssh-ed25519", 256);
        sshd.setHost("127.0.0.1");
        sshd.setPort(0);
        sshd.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        sshd.setPublickeyAuthenticator(AcceptAllPublickeyAuthenticator.INSTANCE);
        SftpSubsystemFactory sftp = new SftpSubsystemFactory();
        sftp.addSftpEventListener(new org.apache.sshd.sftp.server.SftpEventListener() {
            @Override
            public void written(org.apache.sshd.server.session.ServerSession session, String remoteHandle,
                                org.apache.sshd.sftp.server.FileHandle localHandle, long offset, byte[] data, int dataOffset,
                                int dataLen, Throwable thrown) {
                if (thrown == null) {
                    bytesWritten.addAndGet(dataLen);
                }
            }
        });
        sshd.setSubsystemFactories(List.of(sftp));
        if (commands) {
            sshd.setCommandFactory(ProcessShellCommandFactory.INSTANCE);
        }
        sshd.start();
    }

    public int port() {
        return sshd.getPort();
    }

    /** The client's private key (ed25519, no passphrase). */
    public Path key() {
        return keys.resolve("id");
    }

    /** Writes the server's host key into {@code knownHosts} as OpenSSH would pin it. */
    public void pin(Path knownHosts) throws Exception {
        Files.createDirectories(knownHosts.getParent());
        String entry = "[127.0.0.1]:" + port() + " "
                + org.apache.sshd.common.config.keys.PublicKeyEntry.toString(hostKey.getPublic()) + "\n";
        Files.writeString(knownHosts, entry, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }

    /** Bytes clients wrote into files since start (what was sent twice counts twice). */
    public long bytesWritten() {
        return bytesWritten.get();
    }

    /** Closes every session at once, mid-transfer or not. */
    public void cutConnections() {
        sshd.getActiveSessions().forEach(session -> session.close(true));
    }

    @Override
    public void close() throws Exception {
        sshd.stop(true);
    }
}
