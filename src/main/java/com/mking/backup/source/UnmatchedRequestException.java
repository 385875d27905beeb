package com.mking.backup.source;

/**
 * What the operator asked for is not in the backup (an {@code --include} that matches no path of the snapshot), found
 * only once the backup is read: the operator's to change, so the command exits 2 and nobody is alerted. Nothing else
 * counts as such: an argument error from decoding damaged data is a failed restore.
 */
public final class UnmatchedRequestException extends IllegalArgumentException {

    public UnmatchedRequestException(String message) {
        super(message);
    }
}
