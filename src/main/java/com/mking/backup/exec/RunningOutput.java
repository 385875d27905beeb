package com.mking.backup.exec;

import java.io.InputStream;

/**
 * One artefact's raw bytes while they are being made: a tool's stdout ({@link RunningTool}) or a stream Java code
 * writes ({@link RunningWriter}). Reading {@link #getStdout()} to its end fails unless the producer succeeded, so a
 * consumer never mistakes a truncated artefact for a complete one.
 */
public interface RunningOutput {

    InputStream getStdout();

    /** What the producer said about itself (a tool's stderr tail; empty for Java code, whose failures are exceptions). */
    String stderrText();

    /** Stops the producer (the consumer failed or the run was aborted). */
    void kill();
}
