package com.mking.backup.source;

import java.util.Map;

/**
 * What an operator asked to restore and where to. {@code target} is source-specific (a database name
 * for pg-logical, a data directory for pg-physical). {@code force} allows replacing a non-empty target.
 * {@code options} carries source-specific settings (recovery target, port, ...).
 */
public record RestoreRequest(String backupId, String target, String fromStore, boolean force, boolean noOwner,
                             String requestedBy, Map<String, String> options) {

    /** Option: parallel workers of the restore tool, where the format allows them. */
    public static final String JOBS = "jobs";

    public String option(String key, String defaultValue) {
        String value = options.get(key);
        return value == null || value.isBlank() ? defaultValue : value;
    }
}
