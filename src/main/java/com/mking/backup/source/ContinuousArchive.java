package com.mking.backup.source;

import com.mking.backup.job.JobSpec;

import java.util.Optional;

/**
 * A source whose changes are archived continuously between backups (PostgreSQL's WAL): the daemon measures the
 * archive's lag (the RPO), exports it as a gauge, sweeps pushes that died half-way, and {@code status} and
 * {@code check} report its protection ({@link #protectionGap}). Asked for with {@link Source#capability}.
 */
public interface ContinuousArchive {

    /**
     * How the job's source is not set up to archive into this job, with the literal fix; {@code certain} false when it
     * could not be checked fully (a setting the job's role may not read).
     */
    record Gap(boolean certain, String detail) {
    }

    /**
     * Empty when the source archives its changes into this job; {@code tokenRequired}: pushes must carry the WAL token.
     * Throws when the source does not answer (the probe reports that on its own).
     */
    Optional<Gap> protectionGap(JobSpec job, boolean tokenRequired) throws Exception;
}
