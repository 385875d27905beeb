package com.mking.backup.exec;

import java.io.IOException;

/** A backup or restore tool exited with a failure code. The message carries the tail of its stderr. */
public final class ToolFailedException extends IOException {

    private final int exitCode;

    public ToolFailedException(String tool, int exitCode, String stderrTail) {
        super(tool + " failed with exit code " + exitCode + (stderrTail.isBlank() ? "" : ": " + stderrTail.strip()));
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
