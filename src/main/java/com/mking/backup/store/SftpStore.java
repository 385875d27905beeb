package com.mking.backup.store;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHFsyncExtension;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * A directory on a remote server reached over SSH (the seed's {@code backup-server}), through Apache SSHD's SFTP client:
 * key authentication (a key file, its passphrase from a file), the server's host key pinned in a known-hosts file
 * (trust on first use only when enabled), keys laid out under {@code path} as in every store.
 *
 * <p>A put writes {@code .partial-<uuid>-<name>} beside the key, fsyncs it where the server offers
 * {@code fsync@openssh.com}, checks its size, then renames it (a rename never replaces an existing key). Writes are
 * pipelined within a segment (16 MiB, as an S3 part), and the segment is acknowledged (every write answered, the file's size
 * checked) before the next is read, so a broken connection
 * loses at most that segment: the put reconnects and continues from the acknowledged offset (up to {@code attempts}
 * times, with backoff), holding one segment, never the stream. The SHA-256 of a stored object is computed on the server ({@code sha256sum} over an
 * exec channel) when the server allows commands, so a read-back check moves no data; else it is read back.
 */
public final class SftpStore implements Store, org.apache.camel.Service {

    private static final Logger LOG = LoggerFactory.getLogger(SftpStore.class);
    static final String PARTIAL_PREFIX = ".partial-";
    /**
     * What a put holds at most: a broken connection resends at most this much. Each segment's end waits for the server
     * (acknowledgments, a stat): 4 MiB segments cost a 1.1 GB upload 1.2 s more than 16 MiB ones.
     */
    static final int SEGMENT = 16 << 20;
    /** What one SFTP write request carries (pipelined, well below OpenSSH's 256 KiB message limit). */
    private static final int WRITE_SIZE = 64 << 10;
    /** Read before a whole segment is allocated. */
    private static final int FIRST_READ = 64 << 10;
    private static final Pattern SHA256 = Pattern.compile("^([0-9a-f]{64})\\s");

    /**
     * Where and how to log in. {@code passphraseFile} may be null; {@code trustOnFirstUse} pins an unknown host's key;
     * {@code appendOnly}: the server lets this key write but not delete (see {@link #appendOnly()}).
     */
    public record Settings(String host, int port, String user, Path keyFile, Path passphraseFile, Path knownHosts,
                           boolean trustOnFirstUse, String path, boolean serverChecksum, int attempts, Duration timeout,
                           boolean appendOnly) {

        public Settings(String host, int port, String user, Path keyFile, Path passphraseFile, Path knownHosts,
                        boolean trustOnFirstUse, String path, boolean serverChecksum, int attempts, Duration timeout) {
            this(host, port, user, keyFile, passphraseFile, knownHosts, trustOnFirstUse, path, serverChecksum, attempts,
                    timeout, false);
        }
    }

    private final String name;
    private final Settings settings;
    private final String base;
    private SshClient client;
    private ClientSession session;
    /** Set when the server refused a command: checksums are then read back. */
    private volatile boolean commandsRefused;
    private final AtomicReference<String> hostKeyProblem = new AtomicReference<>();

    public SftpStore(String name, Settings settings) {
        this.name = name;
        this.settings = settings;
        String path = settings.path().endsWith("/") ? settings.path().substring(0, settings.path().length() - 1)
                : settings.path();
        this.base = path.isEmpty() ? "." : path;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String describe() {
        return "sftp:" + settings.user() + "@" + settings.host() + ":" + settings.port() + "/" + settings.path();
    }

    // --- the contract ---------------------------------------------------------------------------

    @Override
    public long put(String key, InputStream data) throws IOException {
        String target = resolve(key);
        String directory = parentOf(target);
        String partial = partialOf(target, directory);
        // a manifest or a WAL file takes its own few bytes: a whole segment is allocated only for more
        byte[] segment = data.readNBytes(FIRST_READ); // the source's failure fails the put, never retried
        int length = segment.length;
        if (length == FIRST_READ) {
            segment = java.util.Arrays.copyOf(segment, SEGMENT);
            length += data.readNBytes(segment, length, SEGMENT - length);
        }
        long offset = 0; // acknowledged: everything before it is on the server
        int failures = 0;
        Upload upload = null;
        try {
            while (true) {
                while (true) {
                    try {
                        if (upload == null) {
                            if (settings.appendOnly()) { // a lost reply may have created the last name: it cannot be reused
                                partial = partialOf(target, directory);
                            }
                            upload = new Upload(partial, directory, offset);
                        }
                        upload.write(segment, length); // returns once the server acknowledged every write of it
                        break;
                    } catch (IOException e) {
                        if (settings.appendOnly() && upload != null) { // the read-only partial exists
                            throw new IOException(describe() + ": writing " + key + " broke at byte " + offset + " (" + e.getMessage()
                                    + "); with append-only credentials the partial file is read-only from its creation, so the "
                                    + "upload cannot resume: the run fails and its next run stores the backup again", e);
                        }
                        failures = afterFailure("writing " + key + " at byte " + offset, e, failures);
                        closeQuietly(upload);
                        upload = null;
                    }
                }
                offset += length;
                failures = 0; // attempts count per segment: a long upload may outlive several separate drops
                if (length < SEGMENT) { // the stream ended (a first read shorter than FIRST_READ too)
                    break;
                }
                length = data.readNBytes(segment, 0, SEGMENT);
            }
            upload.finish();
            long stored = upload.sftp.stat(partial).getSize();
            if (stored != offset) {
                throw new IOException(describe() + ": " + key + " holds " + stored + " bytes after writing " + offset);
            }
            try {
                upload.sftp.rename(partial, target); // SFTP's rename refuses an existing target: nothing is replaced
            } catch (SftpException e) {
                throw new IOException(describe() + ": cannot publish " + key + " (" + e.getMessage()
                        + (exists(upload.sftp, target) ? "; it already exists, and a stored object is never replaced)" : ")"), e);
            }
            return offset;
        } catch (IOException | RuntimeException e) {
            removeQuietly(partial);
            throw e;
        } finally {
            closeQuietly(upload);
        }
    }

    /**
     * One connection's part of a put: the partial file opened at {@code offset} (created at 0, continued after a broken
     * connection). Each segment goes through SSHD's pipelined stream, whose close waits for the server's answer to every
     * write of it; the file's size is then checked, so a segment counts only once it is on the server.
     */
    private final class Upload implements AutoCloseable {
        private final SftpClient sftp;
        private final SftpClient.CloseableHandle handle;
        private long offset;

        Upload(String partial, String directory, long offset) throws IOException {
            this.offset = offset;
            sftp = sftp();
            try {
                makeDirectories(sftp, directory);
                handle = settings.appendOnly() ? createReadOnly(sftp, partial)
                        : sftp.open(partial, offset == 0 ? EnumSet.of(SftpClient.OpenMode.Write, SftpClient.OpenMode.Create,
                        SftpClient.OpenMode.Truncate) : EnumSet.of(SftpClient.OpenMode.Write));
            } catch (IOException | RuntimeException e) {
                closeQuietly(sftp);
                throw e;
            }
        }

        void write(byte[] segment, int length) throws IOException {
            if (length == 0) {
                return;
            }
            // the stream does not own the handle: its close waits for the acknowledgments, the file stays open
            try (org.apache.sshd.sftp.client.impl.SftpOutputStreamAsync out = new org.apache.sshd.sftp.client.impl.SftpOutputStreamAsync(
                    (org.apache.sshd.sftp.client.impl.AbstractSftpClient) sftp, WRITE_SIZE, handle.getPath(), handle, false)) {
                out.setOffset(offset);
                out.write(segment, 0, length);
            }
            long size = sftp.stat(handle).getSize();
            if (size < offset + length) { // an acknowledgment that never came: the segment is sent again
                throw new IOException("the server holds " + size + " bytes, not the " + (offset + length) + " written");
            }
            offset += length;
        }

        /** Fsyncs where the server offers it, and closes the file. */
        void finish() throws IOException {
            OpenSSHFsyncExtension fsync = sftp.getExtension(OpenSSHFsyncExtension.class);
            if (fsync != null && fsync.isSupported()) {
                fsync.fsync(handle);
            }
            handle.close();
        }

        @Override
        public void close() throws IOException {
            sftp.close();
        }
    }

    private static String partialOf(String target, String directory) {
        return directory + "/" + PARTIAL_PREFIX + UUID.randomUUID() + "-" + target.substring(directory.length() + 1);
    }

    /**
     * Creates a file whose mode is 0444 from the start, open for writing through the returned handle only (SFTP v3's open
     * carries the mode; SSHD's client sends none, hence the raw request). Append-only credentials deny chmod, so no one
     * logging in with them can open a stored file for writing again and truncate it.
     */
    private static SftpClient.CloseableHandle createReadOnly(SftpClient sftp, String path) throws IOException {
        if (sftp.getVersion() != SftpConstants.SFTP_V3) {
            throw new IOException("append-only writes need SFTP version 3 (OpenSSH's); the server speaks " + sftp.getVersion());
        }
        org.apache.sshd.common.util.buffer.Buffer request = new org.apache.sshd.common.util.buffer.ByteArrayBuffer();
        request.putString(path);
        request.putInt(SftpConstants.SSH_FXF_WRITE | SftpConstants.SSH_FXF_CREAT | SftpConstants.SSH_FXF_EXCL);
        request.putInt(SftpConstants.SSH_FILEXFER_ATTR_PERMISSIONS);
        request.putInt(0444);
        org.apache.sshd.sftp.client.RawSftpClient raw = (org.apache.sshd.sftp.client.RawSftpClient) sftp;
        org.apache.sshd.common.util.buffer.Buffer response = raw.receive(raw.send(SftpConstants.SSH_FXP_OPEN, request));
        response.getInt(); // length
        int type = response.getUByte();
        response.getInt(); // request id
        if (type == SftpConstants.SSH_FXP_STATUS) {
            int status = response.getInt();
            throw new SftpException(status, "cannot create " + path + ": " + response.getString());
        }
        if (type != SftpConstants.SSH_FXP_HANDLE) {
            throw new IOException("unexpected answer " + type + " to opening " + path);
        }
        return new org.apache.sshd.sftp.client.impl.DefaultCloseableHandle(sftp, path, response.getBytes());
    }

    /**
     * Written with credentials that cannot delete (a forced {@code sftp-server -P remove,rmdir,setstat,fsetstat,...}):
     * files are created read-only, nothing is removed, commands do not run (the forced command replaces them), and prune
     * runs from a privileged configuration of the same store.
     */
    @Override
    public boolean appendOnly() {
        return settings.appendOnly();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // the channel goes with its session
            }
        }
    }

    @Override
    public InputStream get(String key) throws IOException {
        String path = resolve(key);
        SftpClient sftp = connected(this::sftp);
        try {
            sftp.stat(path);
            InputStream in = sftp.read(path);
            return new FilterInputStream(in) {
                @Override
                public void close() throws IOException {
                    try {
                        super.close();
                    } finally {
                        sftp.close();
                    }
                }
            };
        } catch (IOException e) {
            closeQuietly(sftp);
            if (isMissing(e)) {
                throw new FileNotFoundException(key + " is not in store '" + name + "' (" + describe() + ")");
            }
            throw dropSessionIfBroken(e);
        }
    }

    @Override
    public Optional<Long> size(String key) throws IOException {
        String path = resolve(key);
        return connected(() -> {
            try (SftpClient sftp = sftp()) {
                return Optional.of(sftp.stat(path).getSize());
            } catch (IOException e) {
                if (isMissing(e)) {
                    return Optional.<Long>empty();
                }
                throw e;
            }
        });
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        return connected(() -> {
            List<String> keys = new ArrayList<>();
            try (SftpClient sftp = sftp()) {
                String from = prefix.contains("/") ? prefix.substring(0, prefix.lastIndexOf('/')) : "";
                walk(sftp, from, keys, false);
            }
            keys.removeIf(key -> !key.startsWith(prefix));
            return keys;
        });
    }

    @Override
    public void delete(String key) throws IOException {
        String path = resolve(key);
        connected(() -> {
            try (SftpClient sftp = sftp()) {
                try {
                    sftp.remove(path);
                } catch (IOException e) {
                    if (!isMissing(e)) {
                        throw e;
                    }
                }
                // directories left empty go too, up to the base, so pruned days do not pile up
                for (String dir = parentOf(path); dir.length() > base.length(); dir = parentOf(dir)) {
                    try {
                        sftp.rmdir(dir);
                    } catch (IOException notEmpty) {
                        break;
                    }
                }
            }
            return null;
        });
    }

    @Override
    public int removeIncomplete(String prefix, Instant startedBefore) throws IOException {
        if (settings.appendOnly()) {
            return 0; // the privileged configuration's sweep removes them
        }
        return connected(() -> {
            List<String> partials = new ArrayList<>();
            int removed = 0;
            try (SftpClient sftp = sftp()) {
                String from = prefix.contains("/") ? prefix.substring(0, prefix.lastIndexOf('/')) : "";
                walk(sftp, from, partials, true);
                for (String key : partials) {
                    if (!key.startsWith(prefix)) {
                        continue;
                    }
                    SftpClient.Attributes attributes = sftp.stat(resolve(key));
                    if (attributes.getModifyTime().toInstant().isBefore(startedBefore)) {
                        sftp.remove(resolve(key));
                        removed++;
                    }
                }
            }
            return removed;
        });
    }

    /** {@code sha256sum} on the server: the stored object is checked where it lies, no bytes travel back. */
    @Override
    public Optional<String> storedSha256(String key) throws IOException {
        if (!settings.serverChecksum() || commandsRefused || settings.appendOnly()) {
            return Optional.empty();
        }
        ClientSession session = connected(this::session);
        String answer;
        try {
            answer = session.executeRemoteCommand("sha256sum -- " + quote(resolve(key)), settings.timeout().multipliedBy(60));
        } catch (IOException e) {
            if (!session.isOpen()) {
                throw dropSessionIfBroken(e); // the connection broke: tried again, not taken for a refusal
            }
            commandsRefused = true;
            LOG.info("store '{}': the server does not run sha256sum ({}); copies are checked by reading them back", name,
                    e.getMessage());
            return Optional.empty();
        }
        java.util.regex.Matcher matcher = SHA256.matcher(answer);
        if (!matcher.find()) {
            throw new IOException(describe() + ": sha256sum answered '" + answer.strip() + "' for " + key);
        }
        return Optional.of(matcher.group(1));
    }

    /** {@code df} of the base directory on the server. */
    @Override
    public Optional<long[]> filesystemUsage() throws IOException {
        if (commandsRefused || settings.appendOnly()) {
            return Optional.empty();
        }
        ClientSession session = connected(this::session);
        String answer;
        try {
            answer = session.executeRemoteCommand("df -P -k -- " + quote(base), settings.timeout());
        } catch (IOException e) {
            LOG.info("store '{}': the server does not run df ({}); usage is the size of the stored objects", name,
                    e.getMessage());
            return Optional.empty();
        }
        String[] lines = answer.strip().split("\n");
        String[] fields = lines[lines.length - 1].trim().split("\\s+");
        if (fields.length < 4 || !fields[1].matches("\\d+") || !fields[2].matches("\\d+")) {
            throw new IOException(describe() + ": df answered '" + answer.strip() + "'");
        }
        return Optional.of(new long[]{Long.parseLong(fields[2]) << 10, Long.parseLong(fields[1]) << 10});
    }

    // --- connection ---------------------------------------------------------------------------

    private synchronized ClientSession session() throws IOException {
        if (session != null && session.isOpen()) {
            return session;
        }
        if (client == null) {
            // its directory exists, so the ssh-keyscan line an unknown host's refusal suggests works as given
            Files.createDirectories(settings.knownHosts().toAbsolutePath().getParent());
            SshClient client = SshClient.setUpDefaultClient();
            // AES first: SSHD prefers ChaCha20-Poly1305, which this JDK computes in plain Java (an upload took 1.8x as long)
            client.setCipherFactories(new ArrayList<>(List.<org.apache.sshd.common.NamedFactory<org.apache.sshd.common.cipher.Cipher>>of(
                    org.apache.sshd.common.cipher.BuiltinCiphers.aes128gcm, org.apache.sshd.common.cipher.BuiltinCiphers.aes256gcm,
                    org.apache.sshd.common.cipher.BuiltinCiphers.aes128ctr, org.apache.sshd.common.cipher.BuiltinCiphers.aes256ctr,
                    org.apache.sshd.common.cipher.BuiltinCiphers.cc20p1305_openssh)));
            // a server that runs no commands (internal-sftp only) says so at once instead of leaving the channel open
            org.apache.sshd.core.CoreModuleProperties.REQUEST_EXEC_REPLY.set(client, true);
            client.setServerKeyVerifier(hostKeyVerifier());
            FileKeyPairProvider keys = new FileKeyPairProvider(settings.keyFile());
            if (settings.passphraseFile() != null) {
                String passphrase = Files.readString(settings.passphraseFile(), StandardCharsets.UTF_8).strip();
                keys.setPasswordFinder(FilePasswordProvider.of(passphrase));
            }
            client.setKeyIdentityProvider(keys);
            client.start();
            this.client = client; // kept once it started: a missing passphrase file is named again at the next try
        }
        hostKeyProblem.set(null);
        ClientSession opened = null;
        try {
            opened = client.connect(settings.user(), settings.host(), settings.port()).verify(settings.timeout()).getSession();
        } catch (IOException e) {
            String hostKey = hostKeyProblem.get();
            throw hostKey != null ? new HostKeyException(hostKey, e) : new IOException(describe() + ": cannot connect ("
                    + e.getMessage() + ")", e);
        }
        try {
            opened.auth().verify(settings.timeout());
        } catch (IOException e) {
            opened.close(true);
            String hostKey = hostKeyProblem.get();
            if (hostKey != null) {
                throw new HostKeyException(hostKey, e);
            }
            // a refused key is not tried again: failed logins get a client banned (fail2ban), and the key will not change
            throw new LoginRefusedException(describe() + ": the server refused the login (" + e.getMessage() + "); check that "
                    + settings.keyFile() + ".pub is in the authorized_keys of " + settings.user() + " on " + settings.host(), e);
        }
        session = opened;
        return session;
    }

    private SftpClient sftp() throws IOException {
        return SftpClientFactory.instance().createSftpClient(session());
    }

    /**
     * Pinned host keys: an unknown host is refused (or pinned, with trust-on-first-use); a host whose key differs from
     * the pinned one is always refused, with what to check.
     */
    private KnownHostsServerKeyVerifier hostKeyVerifier() {
        String pin = "ssh-keyscan -p " + settings.port() + " " + settings.host() + " >> " + settings.knownHosts();
        KnownHostsServerKeyVerifier verifier = new KnownHostsServerKeyVerifier(settings.trustOnFirstUse()
                ? AcceptAllServerKeyVerifier.INSTANCE : (session, address, key) -> {
                    hostKeyProblem.set("the host key of " + settings.host() + ":" + settings.port() + " ("
                            + KeyUtils.getFingerPrint(key) + ") is not in " + settings.knownHosts() + ": compare it with "
                            + "the server's own (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub there), then pin it ("
                            + pin + "), or set mking.store." + name + ".trust-on-first-use=true once");
                    return RejectAllServerKeyVerifier.INSTANCE.verifyServerKey(session, address, key);
                }, settings.knownHosts());
        verifier.setModifiedServerKeyAcceptor((session, address, entry, expected, actual) -> {
            hostKeyProblem.set("the host key of " + settings.host() + ":" + settings.port() + " changed: "
                    + KeyUtils.getFingerPrint(actual) + " instead of the pinned " + KeyUtils.getFingerPrint(expected)
                    + " (" + settings.knownHosts() + "). Refused: if the server was reinstalled, check the new key "
                    + "with its administrator and replace the line in that file; otherwise someone may be in between");
            return false;
        });
        return verifier;
    }

    /** A refused login (the key is not authorized): never retried. */
    static final class LoginRefusedException extends IOException {
        LoginRefusedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A refused host key: never retried, never a transient error. */
    public static final class HostKeyException extends IOException {
        HostKeyException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    // --- retries ------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Operation<T> {
        T run() throws IOException;
    }

    /**
     * A broken connection, a timeout: not a refused host key, a missing file or the server's refusal of a request
     * ({@link SftpException}). The {@link RetryingStore} around this store tries such operations again.
     */
    @Override
    public boolean isTransient(Throwable failure) {
        return failure instanceof IOException && !(failure instanceof HostKeyException || failure instanceof LoginRefusedException
                || failure instanceof FileNotFoundException || failure instanceof java.nio.file.NoSuchFileException
                || failure instanceof SftpException);
    }

    /** Runs an operation; a transient failure drops the session first, so that the next try connects again. */
    private <T> T connected(Operation<T> operation) throws IOException {
        try {
            return operation.run();
        } catch (IOException e) {
            throw dropSessionIfBroken(e);
        }
    }

    /** Forgets a session that closed, so that the next try connects again; an open one stays for the other transfers on it. */
    private IOException dropSessionIfBroken(IOException e) {
        if (isTransient(e)) {
            synchronized (this) {
                if (session != null && !session.isOpen()) {
                    session = null;
                }
            }
        }
        return e;
    }

    /** During a put: throws when {@code e} is not transient or the attempts are used up; else drops the session and waits. */
    private int afterFailure(String what, IOException e, int failures) throws IOException {
        if (!isTransient(e) || failures + 1 >= settings.attempts()) {
            throw e;
        }
        long wait = Math.min(30_000, 500L << failures);
        LOG.warn("store '{}': {} failed ({}); reconnecting in {} ms (attempt {} of {})", name, what, e.getMessage(), wait,
                failures + 2, settings.attempts());
        dropSessionIfBroken(e);
        try {
            Thread.sleep(wait);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException(what + " was interrupted");
        }
        return failures + 1;
    }

    // --- paths --------------------------------------------------------------------------------

    private String resolve(String key) {
        if (key.startsWith("/") || key.contains("\\") || List.of(key.split("/")).contains("..")) {
            throw new IllegalArgumentException("store key escapes the store root: " + key);
        }
        return key.isEmpty() ? base : base + "/" + key;
    }

    private static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? (slash == 0 ? "/" : ".") : path.substring(0, slash);
    }

    private void makeDirectories(SftpClient sftp, String directory) throws IOException {
        if (exists(sftp, directory)) {
            return;
        }
        String parent = parentOf(directory);
        if (!parent.equals(directory) && !parent.equals(".") && !parent.equals("/")) {
            makeDirectories(sftp, parent);
        }
        try {
            sftp.mkdir(directory);
        } catch (SftpException e) {
            if (!exists(sftp, directory)) { // another put may have made it meanwhile
                throw e;
            }
        }
    }

    private static boolean exists(SftpClient sftp, String path) throws IOException {
        try {
            sftp.stat(path);
            return true;
        } catch (IOException e) {
            if (isMissing(e)) {
                return false;
            }
            throw e;
        }
    }

    /** Every key under {@code relative} (recursive); partial uploads only when {@code partials}, else never. */
    private void walk(SftpClient sftp, String relative, List<String> keys, boolean partials) throws IOException {
        List<SftpClient.DirEntry> entries = new ArrayList<>();
        try {
            sftp.readDir(resolve(relative)).forEach(entries::add); // read here: the iterable opens the directory lazily
        } catch (IOException | java.io.UncheckedIOException e) {
            IOException cause = e instanceof java.io.UncheckedIOException unchecked ? unchecked.getCause() : (IOException) e;
            if (isMissing(cause)) {
                return;
            }
            throw cause;
        }
        for (SftpClient.DirEntry entry : entries) {
            String entryName = entry.getFilename();
            if (entryName.equals(".") || entryName.equals("..")) {
                continue;
            }
            String key = relative.isEmpty() ? entryName : relative + "/" + entryName;
            if (entry.getAttributes().isDirectory()) {
                walk(sftp, key, keys, partials);
            } else if (entryName.startsWith(PARTIAL_PREFIX) == partials) {
                keys.add(key);
            }
        }
    }

    private static boolean isMissing(IOException e) {
        return e instanceof SftpException sftp && sftp.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE;
    }

    private void removeQuietly(String path) {
        try (SftpClient sftp = sftp()) {
            sftp.remove(path);
        } catch (IOException e) {
            LOG.debug("store '{}': {} not removed: {}", name, path, e.getMessage());
        }
    }

    private static String quote(String path) {
        return "'" + path.replace("'", "'\\''") + "'";
    }

    @Override
    public void start() {
        // connects on first use: catalog commands never need the server
    }

    /** Closes the connection when Camel stops. */
    @Override
    public synchronized void stop() {
        if (session != null) {
            session.close(true);
        }
        if (client != null) {
            client.stop();
        }
    }
}
