package com.mking.backup.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * Retries an idempotent store operation on transient errors (a reset connection, a 5xx answer, a timeout) with
 * exponential backoff: {@code attempts} tries in all, waiting {@code firstWait}, then twice as long each time (at most 30 s).
 * What {@code transient} does not accept (a missing key, a refused credential) fails at once.
 */
final class Retry {

    private static final Logger LOG = LoggerFactory.getLogger(Retry.class);
    private static final Duration LONGEST_WAIT = Duration.ofSeconds(30);

    @FunctionalInterface
    interface Operation<T> {
        T run() throws Exception;
    }

    private final String store;
    private final int attempts;
    private final Duration firstWait;
    private final Predicate<Throwable> isTransient;

    Retry(String store, int attempts, Duration firstWait, Predicate<Throwable> isTransient) {
        this.store = store;
        this.attempts = attempts;
        this.firstWait = firstWait;
        this.isTransient = isTransient;
    }

    /** Runs {@code operation} until it succeeds, fails for good, or the attempts are used up (then its last error). */
    <T> T call(String what, Operation<T> operation) throws Exception {
        Duration wait = firstWait;
        for (int attempt = 1; ; attempt++) {
            try {
                return operation.run();
            } catch (Exception e) {
                Throwable cause = unwrap(e);
                if (attempt >= attempts || !isTransient.test(cause)) {
                    throw cause instanceof Exception exception ? exception : e;
                }
                LOG.warn("store '{}': {} failed ({}); trying again in {} ms (attempt {} of {})", store, what,
                        cause.getMessage(), wait.toMillis(), attempt + 1, attempts);
                try {
                    Thread.sleep(wait.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException(what + " was interrupted");
                }
                wait = wait.multipliedBy(2).compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : wait.multipliedBy(2);
            }
        }
    }

    /** The failure inside a future's or an executor's wrapper. */
    static Throwable unwrap(Throwable e) {
        Throwable cause = e;
        while ((cause instanceof java.util.concurrent.ExecutionException
                || cause instanceof java.util.concurrent.CompletionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** For callers that only throw IOException. */
    static IOException asIOException(Exception e) {
        return e instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }
}
