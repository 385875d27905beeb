package com.mking.backup.exec;

import com.mking.backup.source.ToolCommand;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command whose output is small (a {@code redis-cli INFO}, a {@code git remote update}) and returns its stdout.
 * Output beyond {@value #MAX_OUTPUT} bytes is an error, never held; stderr is kept as a tail for the error message.
 * Its secrets go into its environment only, as {@link StreamingExecutor} does for streamed tools.
 */
public final class ShortCommand {

    static final int MAX_OUTPUT = 1 << 20;

    private ShortCommand() {
    }

    /** The process and whatever it started (git's index-pack, a remote helper), so no child keeps a lock file. */
    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    public static String run(ToolCommand command, long timeoutSeconds) throws IOException {
        List<String> line = new ArrayList<>();
        line.add(command.executable());
        line.addAll(command.args());
        ProcessBuilder builder = ToolEnvironment.withoutOurSettings(new ProcessBuilder(line))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        for (var secret : command.secretEnvironment().entrySet()) {
            builder.environment().put(secret.getKey(), secret.getValue().read());
        }
        String name = new File(command.executable()).getName();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IOException("cannot start " + command.executable() + " (is it installed?): " + e.getMessage(), e);
        }
        StderrTail stderr = new StderrTail(process.getErrorStream(), name);
        // a command that hangs without printing would block the read below forever
        java.util.concurrent.CompletableFuture<Process> exited = process.onExit();
        exited.orTimeout(timeoutSeconds, TimeUnit.SECONDS).exceptionally(timedOut -> {
            kill(process);
            return process;
        });
        try (InputStream out = process.getInputStream()) {
            byte[] bytes = out.readNBytes(MAX_OUTPUT + 1);
            if (bytes.length > MAX_OUTPUT) {
                kill(process);
                throw new IOException(name + " printed more than " + MAX_OUTPUT + " bytes; expected a short answer");
            }
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS) || exited.isCompletedExceptionally()) {
                kill(process);
                throw new IOException(name + " did not finish within " + timeoutSeconds + " s");
            }
            if (process.exitValue() != 0) {
                stderr.awaitEnd();
                throw new ToolFailedException(name, process.exitValue(), stderr.text());
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException(name + " was interrupted");
        }
    }
}
