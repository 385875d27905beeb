package com.mking.backup.audit;

/**
 * The audit database cannot be reached (down, restarting, network): the operation failed (exit 1), but
 * nothing is wrong with the configuration. The message says "audit database unreachable at HOST:PORT".
 */
public final class AuditUnavailableException extends RuntimeException {

    public AuditUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
