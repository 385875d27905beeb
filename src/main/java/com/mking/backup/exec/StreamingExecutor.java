package com.mking.backup.exec;

import org.apache.camel.component.exec.ExecCommand;
import org.apache.camel.component.exec.ExecCommandExecutor;
import org.apache.camel.component.exec.ExecResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A camel-exec executor that streams. camel-exec's default executor collects all of stdout in memory,
 * which is wrong for a multi-GB dump; this one starts the process and returns at once with a
 * {@link RunningTool} whose stdout is the live pipe. The exchange body's stream, if any, is pumped to
 * the tool's stdin on a thread of its own (a restore feeding {@code pg_restore}).
 *
 * <p>Secrets never go on the command line: a command's own secrets ({@link ToolBinding}) go into its process's
 * environment only, read from their files or variables as it starts.
 */
public final class StreamingExecutor implements ExecCommandExecutor {

    private static final Logger LOG = LoggerFactory.getLogger(StreamingExecutor.class);

    @Override
    public ExecResult execute(ExecCommand command) {
        List<String> commandLine = new ArrayList<>();
        commandLine.add(command.getExecutable());
        commandLine.addAll(command.getArgs());
        ProcessBuilder builder = ToolEnvironment.withoutOurSettings(new ProcessBuilder(commandLine));
        if (command instanceof ToolBinding.WithSecrets withSecrets) {
            withSecrets.secrets().forEach((variable, secret) -> {
                try {
                    builder.environment().put(variable, secret.read());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot start " + command.getExecutable() + ": " + e.getMessage(), e);
                }
            });
        }
        if (command.getWorkingDir() != null) {
            builder.directory(new File(command.getWorkingDir()));
        }
        if (command.getInput() == null) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.getExecutable()
                    + " (is it installed and on the configured path?): " + e.getMessage(), e);
        }
        String name = new File(command.getExecutable()).getName();
        LOG.debug("started {} (pid {})", name, process.pid());
        RunningTool tool = new RunningTool(command, process, new StderrTail(process.getErrorStream(), name));
        if (command.getInput() != null) {
            pumpStdin(command.getInput(), process, tool, name);
        }
        if (command.getTimeout() > 0) {
            watchdog(process, command.getTimeout(), name);
        }
        return tool;
    }

    private static void pumpStdin(InputStream input, Process process, RunningTool tool, String name) {
        Thread pump = new Thread(() -> {
            byte[] buffer = new byte[1 << 16];
            try (input; OutputStream stdin = process.getOutputStream()) {
                while (true) {
                    int n;
                    try {
                        n = input.read(buffer);
                    } catch (IOException e) {
                        // the input failed (e.g. a checksum mismatch): the tool must not finish on partial input
                        LOG.error("feeding {} failed, stopping it: {}", name, e.getMessage());
                        tool.inputFailed(e);
                        return;
                    }
                    if (n < 0) {
                        return;
                    }
                    stdin.write(buffer, 0, n);
                }
            } catch (IOException e) {
                // the tool closed its stdin (it exited); its exit code and stderr tell why
                LOG.debug("{} stopped reading its input: {}", name, e.getMessage());
            }
        }, name + "-stdin");
        pump.setDaemon(true);
        pump.start();
    }

    private static void watchdog(Process process, long timeoutMillis, String name) {
        Thread watchdog = new Thread(() -> {
            try {
                if (!process.waitFor(timeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    LOG.error("{} ran longer than its timeout of {} ms; killing it", name, timeoutMillis);
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name + "-timeout");
        watchdog.setDaemon(true);
        watchdog.start();
    }
}
