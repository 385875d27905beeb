package com.mking.backup.support;

import com.mking.backup.cli.MkingBackup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code mking-backup ARGS} in a process of its own, as an operator runs it: for what a test cannot do to
 * itself (kill -9, SIGTERM, two daemons, a port taken by another process). Output goes to a file that
 * the test can watch.
 */
public final class CliProcess implements AutoCloseable {

    private final Process process;
    private final Path output;
    private final List<String> command;

    private CliProcess(Process process, Path output, List<String> command) {
        this.process = process;
        this.output = output;
        this.command = command;
    }

    /** Starts the CLI with the installation's configuration and routes, and extra JVM options. */
    public static CliProcess start(TestInstallation installation, List<String> jvmOptions, String... args) throws IOException {
        return start(installation, jvmOptions, Map.of(), args);
    }

    public static CliProcess start(TestInstallation installation, List<String> jvmOptions, Map<String, String> environment,
                                   String... args) throws IOException {
        installation.writeConfig();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Dmking.home=" + installation.home());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), MkingBackup.class.getName()));
        command.addAll(List.of("--config", installation.configFile().toString(), "--routes", installation.routes().toString()));
        command.addAll(List.of(args));
        Path output = Files.createTempFile(installation.home(), "cli-" + args[0] + "-", ".out");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(environment);
        return new CliProcess(builder.start(), output, command);
    }

    public long pid() {
        return process.pid();
    }

    public String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    /** Waits until the output satisfies {@code condition}; fails with the output when the process exits or time runs out. */
    public CliProcess awaitOutput(Predicate<String> condition, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (condition.test(output())) {
                return this;
            }
            if (!process.isAlive()) {
                throw new AssertionError("process exited with " + process.exitValue() + " before the expected output:\n" + output());
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no expected output within " + timeout + ":\n" + output());
    }

    /** Waits for the exit and returns the exit code. */
    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + timeout + ": " + String.join(" ", command) + "\n" + output());
        }
        return process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM, as systemd or docker stop do. */
    public void terminate() {
        process.destroy();
    }

    /** kill -9: nothing of the process gets to run any more. The tools it started live on, as they would. */
    public List<ProcessHandle> kill() throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        return children;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
