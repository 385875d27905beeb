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
 * ({@code ssh: backup@db.internal:22}, optional {@code sshKey}). The OpenSSH client runs under camel-exec
 * like any local tool, so the remote stdout streams into the pipeline exactly as a local one does
 * (camel-ssh collects a command's whole output in memory, which a dump cannot afford). Host keys are
 * trusted on first use and pinned in {@code <data-dir>/ssh_known_hosts}; a changed key fails the run.
 */
public final class RemoteShell {

    private static final Pattern TARGET = Pattern.compile("([A-Za-z0-9._-]+)@([A-Za-z0-9.:\\[\\]-]+?)(?::(\\d{1,5}))?");

    private final Path knownHosts;

    public RemoteShell(Path knownHosts) {
        this.knownHosts = knownHosts;
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
        if (!command.secretEnvironment().isEmpty()) {
            // ssh would carry them only on the remote command line
            throw new IllegalArgumentException(job.where("ssh") + ": " + command.executable() + " needs secrets in its "
                    + "environment (" + command.secretEnvironment().keySet() + "), which cannot be passed over ssh");
        }
        Matcher target = TARGET.matcher(job.parameter("ssh").orElseThrow());
        if (!target.matches()) {
            throw new IllegalArgumentException(job.where("ssh") + ": not user@host[:port]");
        }
        try {
            java.nio.file.Files.createDirectories(knownHosts.getParent());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + knownHosts.getParent(), e);
        }
        List<String> args = new ArrayList<>(List.of("-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=accept-new",
                "-o", "UserKnownHostsFile=" + knownHosts, "-o", "ServerAliveInterval=30"));
        if (target.group(3) != null) {
            args.addAll(List.of("-p", target.group(3)));
        }
        job.parameter("sshKey").ifPresent(key -> args.addAll(List.of("-o", "IdentitiesOnly=yes", "-i", key)));
        args.add(target.group(1) + "@" + target.group(2));
        args.add("--");
        StringBuilder remote = new StringBuilder(quote(command.executable()));
        command.args().forEach(arg -> remote.append(' ').append(quote(arg)));
        args.add(remote.toString());
        return new ToolCommand("ssh", args);
    }

    /** POSIX shell quoting: the remote shell sees each argument exactly as given. */
    static String quote(String argument) {
        return "'" + argument.replace("'", "'\\''") + "'";
    }
}
