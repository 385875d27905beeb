package com.mking.backup.source;

import com.mking.backup.job.JobSpec;

import java.nio.file.Path;

/**
 * A source whose restore test is a recovery drill: its continuous archive (a base backup and every change archived since,
 * to the end) is recovered into a scratch server and checked, rather than one backup restored. Asked for with
 * {@link Source#capability}; the scheduled restore tests run it like {@link RestoreTestable}'s.
 */
public interface RecoveryDrill {

    /**
     * Recovers the job's archive under {@code workDirectory}, checks it and removes everything it made; a one-line
     * summary, or an exception saying what is wrong.
     */
    String drill(JobSpec job, Path workDirectory) throws Exception;
}
