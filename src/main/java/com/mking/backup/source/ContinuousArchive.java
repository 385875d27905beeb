package com.mking.backup.source;

/**
 * A source whose changes are archived continuously between backups (PostgreSQL's WAL): the daemon measures the
 * archive's lag (the RPO), exports it as a gauge, sweeps pushes that died half-way, and {@code status} and
 * {@code check} report its protection. Asked for with {@link Source#capability}.
 */
public interface ContinuousArchive {
}
