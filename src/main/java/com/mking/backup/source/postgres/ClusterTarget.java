package com.mking.backup.source.postgres;

import com.mking.backup.source.RestoreTarget;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Where a point-in-time recovery goes and what it must reach: a new data directory and the port its server starts on,
 * the restore_command that serves the archived WAL, a target (time or restore point, else the end of the archive on
 * {@code timeline}) and, for a recovery to the end, the last segment and transaction replay must reach.
 *
 * @param promoteAsPrimary keep archiving on and listen as configured (a failover), instead of a loopback drill
 * @param osUser           the OS user the server runs as (null: postgres when run as root, else this user)
 * @param targetTime       recovery_target_time in PostgreSQL's format, or null
 * @param targetName       recovery_target_name, or null
 * @param aimedAt          the instant {@code targetTime} (or the restore point) stands for, for the audit
 * @param describedTarget  the target in words, for the audit
 */
public record ClusterTarget(Path directory, int port, boolean promoteAsPrimary, String osUser, String restoreCommand,
                            String targetTime, String targetName, Instant aimedAt, long timeline, long segmentSize,
                            Long expectedEndSegment, Instant expectedLastTransaction, String describedTarget)
        implements RestoreTarget {

    public ClusterTarget {
        directory = directory.toAbsolutePath().normalize();
    }

    /** A time or restore point was asked for (else the end of the archive). */
    public boolean targeted() {
        return targetTime != null || targetName != null;
    }

    @Override
    public String describe() {
        return directory.toString();
    }

    @Override
    public Optional<String> recoveryTarget() {
        return Optional.ofNullable(describedTarget);
    }

    @Override
    public Optional<Instant> targetInstant() {
        return Optional.ofNullable(aimedAt);
    }

    @Override
    public Optional<String> restorePointName() {
        return Optional.ofNullable(targetName);
    }
}
