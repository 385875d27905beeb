package com.mking.backup.exec;

import com.mking.backup.config.ConfigException;
import com.mking.backup.job.JobSpec;
import com.mking.backup.source.ToolCommand;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a source's tool on the host that holds the data, over SSH, when the job names one
 * ({@code ssh: backup@db.internal:22}, optional {@code sshKey}). A dump ({@link #wrap}) runs under the OpenSSH client
 * under camel-exec like any local tool, so the remote stdout streams into the pipeline exactly as a local one does
 * (camel-ssh collects a command's whole output in memory, which a dump cannot afford); a short command whose answer is
 * small ({@link #runShort}: {@code redis-cli LASTSAVE}, {@code stat}) goes through camel-ssh (Apache SSHD), with no
 * process of its own. Both trust a host key on first use and pin it in {@code <data-dir>/ssh_known_hosts}; a changed
 * key fails the run.
 */
public final class RemoteShell {

    /** The registry name of the camel-ssh client builder (host keys checked against the pinned file). */
    public static final String SSH_CLIENT = "mkingSshClient";
    private static final int MAX_SHORT_OUTPUT = 1 << 20;

    private static final Pattern TARGET = Pattern.compile("([A-Za-z0-9._-]+)@([A-Za-z0-9.:\\[\\]-]+?)(?::(\\d{1,5}))?");

    /** A short command that prints nothing for this long is given up (camel-ssh's own timeout covers only the login). */
    private static final java.time.Duration SHORT_IDLE_TIMEOUT = java.time.Duration.ofSeconds(60);

    private final Path knownHosts;
    private final org.apache.camel.CamelContext context;
    private volatile org.apache.camel.ProducerTemplate producer;

    public RemoteShell(Path knownHosts, org.apache.camel.CamelContext context) {
        this.knownHosts = knownHosts;
        this.context = context;
    }

    /** One template for every short command: its producers (each holding a started SSH client) are reused, not leaked. */
    private org.apache.camel.ProducerTemplate producer() {
        if (producer == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = context.createProducerTemplate();
                }
            }
        }
        return producer;
    }

    /**
     * The camel-ssh client settings: a host seen for the first time is accepted and its key appended to the pinned file
     * (as OpenSSH's StrictHostKeyChecking=accept-new does); a key that differs from the pinned one is refused.
     */
    public static org.apache.sshd.client.ClientBuilder clientBuilder(Path knownHosts) {
        org.apache.sshd.client.ClientBuilder builder = org.apache.sshd.client.ClientBuilder.builder();
        builder.factory(() -> {
            org.apache.sshd.client.SshClient client = new org.apache.sshd.client.SshClient();
            // a command that hangs (a stale mount under stat) ends with its session instead of holding the job
            org.apache.sshd.core.CoreModuleProperties.IDLE_TIMEOUT.set(client, SHORT_IDLE_TIMEOUT);
            return client;
        });
        builder.signatureFactories(HOST_KEY_PREFERENCE.stream().filter(org.apache.sshd.common.signature.BuiltinSignatures::isSupported)
                .map(signature -> (org.apache.sshd.common.NamedFactory<org.apache.sshd.common.signature.Signature>) signature)
                .toList());
        builder.serverKeyVerifier(new org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier(
                org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier.INSTANCE, knownHosts));
        return builder;
    }

    /**
     * OpenSSH's host key order (Ed25519 first): both clients then pin and expect the same key type of a host; with
     * Apache SSHD's own order (ECDSA first) a host OpenSSH pinned would look like one whose key changed.
     */
    private static final List<org.apache.sshd.common.signature.BuiltinSignatures> HOST_KEY_PREFERENCE = List.of(
            org.apache.sshd.common.signature.BuiltinSignatures.ed25519,
            org.apache.sshd.common.signature.BuiltinSignatures.nistp256,
            org.apache.sshd.common.signature.BuiltinSignatures.nistp384,
            org.apache.sshd.common.signature.BuiltinSignatures.nistp521,
            org.apache.sshd.common.signature.BuiltinSignatures.rsaSHA512,
            org.apache.sshd.common.signature.BuiltinSignatures.rsaSHA256);

    /**
     * Runs a command whose answer is small on the job's host through camel-ssh (here, without ssh, for a local job) and
     * returns its stdout; a non-zero exit fails with the command's stderr. Secrets cannot travel this way either.
     */
    public String runShort(JobSpec job, ToolCommand command, long timeoutSeconds) throws java.io.IOException {
        if (!isRemote(job)) {
            return ShortCommand.run(command, timeoutSeconds);
        }
        refuseSecrets(job, command);
        Matcher target = target(job);
        createKnownHostsDirectory();
        String uri = "ssh:" + target.group(2) + ":" + (target.group(3) == null ? "22" : target.group(3))
                + "?username=" + target.group(1) + "&timeout=" + timeoutSeconds * 1000 + "&clientBuilder=#" + SSH_CLIENT
                + identity(job).map(key -> "&keyPairProvider=#" + keyPairProvider(key)).orElse("");
        String name = new java.io.File(command.executable()).getName();
        org.apache.camel.Exchange reply = producer().send(uri,
                exchange -> exchange.getMessage().setBody(commandLine(command)));
        if (reply.getException() != null) {
            throw new java.io.IOException("cannot run " + name + " on " + target.group(2) + " over ssh: "
                    + reply.getException().getMessage(), reply.getException());
        }
        Integer exit = reply.getMessage().getHeader(org.apache.camel.component.ssh.SshConstants.EXIT_VALUE, Integer.class);
        String stderr = reply.getMessage().getHeader(org.apache.camel.component.ssh.SshConstants.STDERR, "", String.class);
        byte[] stdout = reply.getMessage().getBody(byte[].class);
        if (exit == null || exit != 0) {
            throw new ToolFailedException(name, exit == null ? -1 : exit, exit == null
                    ? "no exit status: the command or the connection ended early (nothing printed for "
                    + SHORT_IDLE_TIMEOUT.toSeconds() + " s?)" : stderr == null ? "" : stderr);
        }
        if (stdout != null && stdout.length > MAX_SHORT_OUTPUT) {
            throw new java.io.IOException(name + " printed more than " + MAX_SHORT_OUTPUT + " bytes; expected a short answer");
        }
        return stdout == null ? "" : new String(stdout, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * The registry name of a key pair provider for {@code key}, bound on first use. Apache SSHD reads the OpenSSH key
     * format itself (Ed25519 through the eddsa provider); camel-ssh's own certResource loader would need BouncyCastle.
     */
    private String keyPairProvider(String key) {
        String name;
        try {
            name = "mkingSshKey-" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)), 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        synchronized (context.getRegistry()) {
            if (context.getRegistry().lookupByName(name) == null) {
                context.getRegistry().bind(name, new org.apache.sshd.common.keyprovider.FileKeyPairProvider(Path.of(key)));
            }
        }
        return name;
    }

    /** The job's sshKey, else the first of the user's default identities (as ssh would try them). */
    private static java.util.Optional<String> identity(JobSpec job) {
        java.util.Optional<String> key = job.parameter("sshKey");
        if (key.isPresent()) {
            return key;
        }
        Path home = Path.of(System.getProperty("user.home"), ".ssh");
        return java.util.stream.Stream.of("id_ed25519", "id_ecdsa", "id_rsa").map(home::resolve)
                .filter(java.nio.file.Files::isReadable).map(Path::toString).findFirst();
    }

    public static boolean isRemote(JobSpec job) {
        return job.parameter("ssh").isPresent();
    }

    /** Checks the job's ssh parameters at start-up. */
    public static void validate(JobSpec job) {
        job.parameter("ssh").ifPresent(target -> {
            if (!TARGET.matcher(target).matches()) {
                throw new ConfigException(job.where("ssh"), "'" + target + "' is not user@host[:port]",
                        "write it as backup@db.internal or backup@db.internal:2222");
            }
        });
    }

    /** The command itself when the job is local; else ssh running it on the job's host. */
    public ToolCommand wrap(JobSpec job, ToolCommand command) {
        if (!isRemote(job)) {
            return command;
        }
        refuseSecrets(job, command);
        Matcher target = target(job);
        createKnownHostsDirectory();
        List<String> args = new ArrayList<>(List.of("-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=accept-new",
                "-o", "UserKnownHostsFile=" + knownHosts, "-o", "ServerAliveInterval=30"));
        if (target.group(3) != null) {
            args.addAll(List.of("-p", target.group(3)));
        }
        job.parameter("sshKey").ifPresent(key -> args.addAll(List.of("-o", "IdentitiesOnly=yes", "-i", key)));
        args.add(target.group(1) + "@" + target.group(2));
        args.add("--");
        args.add(commandLine(command));
        return new ToolCommand("ssh", args);
    }

    private static void refuseSecrets(JobSpec job, ToolCommand command) {
        if (!command.secretEnvironment().isEmpty()) {
            // ssh would carry them only on the remote command line
            throw new IllegalArgumentException(job.where("ssh") + ": " + command.executable() + " needs secrets in its "
                    + "environment (" + command.secretEnvironment().keySet() + "), which cannot be passed over ssh");
        }
    }

    private static Matcher target(JobSpec job) {
        Matcher target = TARGET.matcher(job.parameter("ssh").orElseThrow());
        if (!target.matches()) {
            throw new IllegalArgumentException(job.where("ssh") + ": not user@host[:port]");
        }
        return target;
    }

    private void createKnownHostsDirectory() {
        try {
            java.nio.file.Files.createDirectories(knownHosts.getParent());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + knownHosts.getParent(), e);
        }
    }

    /** The command as the remote shell reads it: every argument quoted. */
    private static String commandLine(ToolCommand command) {
        StringBuilder remote = new StringBuilder(quote(command.executable()));
        command.args().forEach(arg -> remote.append(' ').append(quote(arg)));
        return remote.toString();
    }

    /** POSIX shell quoting: the remote shell sees each argument exactly as given. */
    static String quote(String argument) {
        return "'" + argument.replace("'", "'\\''") + "'";
    }
}
