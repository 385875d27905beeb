package com.mking.backup.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts what goes in and out of a store (objects opened for reading, bytes read and written), for the
 * {@code mking_store_*} metrics: reads from S3 cost money, and every read of a copy should have a reason.
 */
public final class MeteredStore implements Store {

    private final Store store;
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();

    public MeteredStore(Store store) {
        this.store = store;
    }

    /** Objects opened for reading since start-up. */
    public long reads() {
        return reads.get();
    }

    public long bytesRead() {
        return bytesRead.get();
    }

    public long bytesWritten() {
        return bytesWritten.get();
    }

    @Override
    public String name() {
        return store.name();
    }

    @Override
    public long put(String key, InputStream data) throws IOException {
        long stored = store.put(key, data);
        bytesWritten.addAndGet(stored);
        return stored;
    }

    @Override
    public InputStream get(String key) throws IOException {
        InputStream in = store.get(key);
        reads.incrementAndGet();
        return new CountingInputStream(in, bytesRead);
    }

    @Override
    public Optional<Long> size(String key) throws IOException {
        return store.size(key);
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        return store.list(prefix);
    }

    @Override
    public void delete(String key) throws IOException {
        store.delete(key);
    }

    @Override
    public int removeIncomplete(String prefix, Instant startedBefore) throws IOException {
        return store.removeIncomplete(prefix, startedBefore);
    }

    @Override
    public Optional<String> storedSha256(String key) throws IOException {
        return store.storedSha256(key);
    }

    @Override
    public Optional<long[]> filesystemUsage() throws IOException {
        return store.filesystemUsage();
    }

    @Override
    public Optional<Instant> lockedUntil(String key) throws IOException {
        return store.lockedUntil(key);
    }

    @Override
    public boolean appendOnly() {
        return store.appendOnly();
    }

    @Override
    public boolean isTransient(Throwable failure) {
        return store.isTransient(failure);
    }

    @Override
    public Optional<Path> localDirectory() {
        return store.localDirectory();
    }

    @Override
    public String describe() {
        return store.describe();
    }
}
