package com.mking.backup.source;

import com.mking.backup.job.JobSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A source whose newest backup the scheduled restore test can restore through the normal restore path (every checksum,
 * the source's own restore) into a scratch target and then check. The test asks for {@link #scratch}, restores into
 * it, asks {@link #check}, and always {@link #cleanUp}. Asked for with {@link Source#capability}.
 */
public interface RestoreTestable {

    /** Where a scratch restore goes: the restore's target and options (e.g. a free port to start a server on). */
    record Scratch(String target, Map<String, String> options) {
    }

    /** False where the test cannot run (a tool it needs is not installed here): then the job is not tested, not failed. */
    default boolean testableHere(JobSpec job) {
        return true;
    }

    /** A scratch target for this job, under {@code workDirectory} when it is a directory. */
    Scratch scratch(JobSpec job, Path workDirectory) throws IOException;

    /** Checks what was restored; a one-line summary, or an exception saying what is wrong. */
    String check(JobSpec job, Scratch scratch) throws Exception;

    /** Removes the scratch target (and stops what the restore started), whatever happened. */
    void cleanUp(JobSpec job, Scratch scratch);
}
