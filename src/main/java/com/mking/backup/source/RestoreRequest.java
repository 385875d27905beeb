package com.mking.backup.source;

/**
 * What an operator asked to restore and where to: the backup, a typed {@link RestoreTarget}, the store to read from (null:
 * the first holding a copy), {@code force} to replace a non-empty target (what was there is moved aside), and who asked.
 */
public record RestoreRequest(String backupId, RestoreTarget target, String fromStore, boolean force, String requestedBy) {

    /**
     * The target as the kind a source takes; another kind is an operator's mistake, answered with {@code hint} (e.g. "a
     * redis backup restores into a directory: --target DIR").
     */
    public <T extends RestoreTarget> T target(Class<T> type, String hint) {
        if (!type.isInstance(target) && target instanceof RestoreTarget.FileTree) {
            // the directory was given: what does not fit are the options that only a files snapshot takes
            throw new IllegalArgumentException("--include and --delete apply to a files snapshot only; this backup is "
                    + "restored whole: leave them out");
        }
        if (!type.isInstance(target)) {
            throw new IllegalArgumentException(hint + (target == null ? "" : " (given: " + target.describe() + ")"));
        }
        return type.cast(target);
    }
}
