package com.mking.backup.exec;

import org.apache.camel.component.exec.ExecCommand;
import org.apache.camel.component.exec.ExecResult;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;

/**
 * The {@link ExecResult} of a tool that is still running: {@link #getStdout()} is the live output.
 * Reading it to the end waits for the process and throws {@link ToolFailedException} on a non-zero
 * exit, so a consumer can never mistake a failed dump's partial output for a complete one.
 */
public final class RunningTool extends ExecResult implements RunningOutput {

    private final transient Process process;
    private final transient StderrTail stderr;
    private final transient InputStream stdout;
    private final String toolName;
    private volatile IOException inputFailure;

    RunningTool(ExecCommand command, Process process, StderrTail stderr) {
        super(command, null, null, 0);
        this.process = process;
        this.stderr = stderr;
        this.toolName = new java.io.File(command.getExecutable()).getName();
        this.stdout = new ExitCheckingStream(process.getInputStream());
    }

    @Override
    public InputStream getStdout() {
        return stdout;
    }

    /** 0 while running (camel-exec logs it); the real exit code is checked by {@link #awaitSuccess()}. */
    @Override
    public int getExitValue() {
        return process.isAlive() ? 0 : process.exitValue();
    }

    /** The last few KiB the tool wrote to stderr (complete once its stdout has ended). */
    public String stderrText() {
        stderr.awaitEnd();
        return stderr.text();
    }

    public String toolName() {
        return toolName;
    }

    /** Discards what is left of stdout, waits for the exit and fails unless it is 0. */
    public void awaitSuccess() throws IOException {
        try (InputStream out = stdout) {
            out.transferTo(OutputStream.nullOutputStream());
        }
    }

    /** Records why feeding the tool's stdin failed; that error then wins over the exit code it caused. */
    void inputFailed(IOException failure) {
        inputFailure = failure;
        kill();
    }

    /** Kills the tool (used when the consumer of its output failed). */
    public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private void checkExit() throws IOException {
        try {
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                kill();
                throw new ToolFailedException(toolName, -1, "did not exit after closing its output");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            throw new java.io.InterruptedIOException(toolName + " interrupted");
        }
        stderr.awaitEnd();
        if (inputFailure != null) {
            throw stoppedByItsInput();
        }
        if (process.exitValue() != 0) {
            throw new ToolFailedException(toolName, process.exitValue(), stderr.text());
        }
    }

    private IOException stoppedByItsInput() {
        return new IOException(toolName + " was stopped because its input failed: " + inputFailure.getMessage(), inputFailure);
    }

    private final class ExitCheckingStream extends FilterInputStream {
        private boolean exitChecked;

        ExitCheckingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b;
            try {
                b = super.read();
            } catch (IOException e) {
                throw inputFailure != null ? stoppedByItsInput() : e;
            }
            if (b < 0) {
                atEnd();
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n;
            try {
                n = super.read(buffer, offset, length);
            } catch (IOException e) {
                // killed because its input failed: the pipe then reads "Stream closed"; the input's failure is the reason
                throw inputFailure != null ? stoppedByItsInput() : e;
            }
            if (n < 0) {
                atEnd();
            }
            return n;
        }

        private void atEnd() throws IOException {
            if (!exitChecked) {
                exitChecked = true;
                checkExit();
            }
        }

        @Override
        public void close() throws IOException {
            super.close();
            if (!exitChecked) {
                // closed before the end: the consumer gave up, so the tool must not linger
                kill();
            }
        }
    }
}
