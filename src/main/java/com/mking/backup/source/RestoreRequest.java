package com.mking.backup.source;

/**
 * What an operator asked to restore and where to. {@code target} is source-specific (a database name
 * for PostgreSQL). {@code force} allows replacing a non-empty target.
 */
public record RestoreRequest(String backupId, String target, String fromStore, boolean force, boolean noOwner,
                             String requestedBy) {
}
