package com.mking.backup.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A store that passes every call to another: decorators ({@link RetryingStore}, {@link MeteredStore}, tests' faulty
 * stores) override what they add to.
 */
public abstract class ForwardingStore implements Store {

    protected final Store store;

    protected ForwardingStore(Store store) {
        this.store = store;
    }

    @Override
    public String name() {
        return store.name();
    }

    @Override
    public long put(String key, InputStream data) throws IOException {
        return store.put(key, data);
    }

    @Override
    public long putReadBack(String key, InputStream data) throws IOException {
        return store.putReadBack(key, data);
    }

    @Override
    public InputStream get(String key) throws IOException {
        return store.get(key);
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
    public Optional<Long> largestObject() {
        return store.largestObject();
    }

    @Override
    public String describe() {
        return store.describe();
    }
}
