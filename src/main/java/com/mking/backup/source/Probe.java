package com.mking.backup.source;

import com.mking.backup.job.JobSpec;

import java.util.Optional;

/**
 * A source that can say whether it answers: the monitoring pass asks every job's source that has this capability and
 * alerts on the ones that do not (before their next backup fails). Asked for with {@link Source#capability}.
 */
public interface Probe {

    /** Empty when the job's source answers as a backup needs it to; otherwise why not, in one line. */
    Optional<String> unreachable(JobSpec job);

    /** What the source is, for the alert: "database server of job app-db". */
    String subject(JobSpec job);
}
