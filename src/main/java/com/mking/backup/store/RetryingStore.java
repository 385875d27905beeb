package com.mking.backup.store;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Retries a store's idempotent operations (open, stat, list, delete, the sweep, the server-side checksum and usage) with
 * backoff when the store calls the failure transient ({@link Store#isTransient}): a reset connection, a 5xx answer, a
 * timeout. Every store is wrapped in one (the registry does it), so each store only says what is transient.
 *
 * <p>Puts are not retried here: a stream cannot be read twice. Each store resumes its own uploads instead, keeping only
 * what it needs to resend: S3 the parts in flight, SFTP the current segment since the last acknowledged offset. Reads
 * that break after opening are not resumed: every reader checks what it read (SHA-256), and a failed read fails loudly.
 */
public final class RetryingStore extends ForwardingStore {

    private final Retry retry;

    /** {@code attempts} tries in all, waiting {@code firstWait} after the first failure and twice as long after each next one. */
    public RetryingStore(Store store, int attempts, Duration firstWait) {
        super(store);
        this.retry = new Retry(store.name(), attempts, firstWait, store::isTransient);
    }

    @Override
    public InputStream get(String key) throws IOException {
        return retried("opening " + key, () -> store.get(key));
    }

    @Override
    public Optional<Long> size(String key) throws IOException {
        return retried("checking " + key, () -> store.size(key));
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        return retried("listing " + prefix, () -> store.list(prefix));
    }

    @Override
    public void delete(String key) throws IOException {
        retried("deleting " + key, () -> {
            store.delete(key);
            return null;
        });
    }

    @Override
    public int removeIncomplete(String prefix, Instant startedBefore) throws IOException {
        return retried("removing unfinished uploads under " + prefix, () -> store.removeIncomplete(prefix, startedBefore));
    }

    @Override
    public Optional<String> storedSha256(String key) throws IOException {
        return retried("the checksum of " + key, () -> store.storedSha256(key));
    }

    @Override
    public Optional<long[]> filesystemUsage() throws IOException {
        return retried("the usage", store::filesystemUsage);
    }

    @Override
    public Optional<Instant> lockedUntil(String key) throws IOException {
        return retried("the lock of " + key, () -> store.lockedUntil(key));
    }

    private <T> T retried(String what, Retry.Operation<T> operation) throws IOException {
        try {
            return retry.call(what, operation);
        } catch (Exception e) {
            throw Retry.asIOException(e);
        }
    }
}
