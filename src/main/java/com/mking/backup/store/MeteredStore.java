package com.mking.backup.store;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts what goes in and out of a store (objects opened for reading, bytes read and written), for the
 * {@code mking_store_*} metrics: reads from S3 cost money, and every read of a copy should have a reason.
 */
public final class MeteredStore extends ForwardingStore {

    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();

    public MeteredStore(Store store) {
        super(store);
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
    public long put(String key, InputStream data) throws IOException {
        long stored = store.put(key, data);
        bytesWritten.addAndGet(stored);
        return stored;
    }

    @Override
    public long putReadBack(String key, InputStream data) throws IOException {
        long stored = store.putReadBack(key, data);
        bytesWritten.addAndGet(stored);
        return stored;
    }

    @Override
    public InputStream get(String key) throws IOException {
        InputStream in = store.get(key);
        reads.incrementAndGet();
        return new CountingInputStream(in, bytesRead);
    }
}
