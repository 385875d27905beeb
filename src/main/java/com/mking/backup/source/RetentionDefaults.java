package com.mking.backup.source;

/**
 * Retention a source needs by default, where the general rules are not enough (base backups that WAL retention is
 * counted from). A job's own keepLast still wins. Asked for with {@link Source#capability}.
 */
public interface RetentionDefaults {

    /** Newest backups always kept when the job does not say. */
    int keepLast();
}
