package com.mking.backup.source;

import com.mking.backup.job.JobSpec;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A source whose newest backup the scheduled restore test can restore through the normal restore path (every checksum,
 * the source's own restore) into a scratch target and then check. The test asks for {@link #scratch}, restores into
 * it, asks {@link #check}, and always {@link #cleanUp}. Asked for with {@link Source#capability}.
 */
public interface RestoreTestable {

    /** False where the test cannot run (a tool it needs is not installed here): then the job is not tested, not failed. */
    default boolean testableHere(JobSpec job) {
        return true;
    }

    /** A scratch target for this job (e.g. a directory under {@code workDirectory} and a free port to start a server on). */
    RestoreTarget scratch(JobSpec job, Path workDirectory) throws IOException;

    /** Checks what was restored; a one-line summary, or an exception saying what is wrong. */
    String check(JobSpec job, RestoreTarget scratch) throws Exception;

    /** Removes the scratch target (and stops what the restore started), whatever happened. */
    void cleanUp(JobSpec job, RestoreTarget scratch);
}
