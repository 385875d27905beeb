package com.mking.backup.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicLong;

/** Counts the bytes read through it, on a counter of its own or on one other threads watch (progress, metrics). */
public final class CountingInputStream extends FilterInputStream {

    private final AtomicLong counter;

    public CountingInputStream(InputStream in) {
        this(in, new AtomicLong());
    }

    /** @param counter the bytes read are added to it */
    public CountingInputStream(InputStream in, AtomicLong counter) {
        super(in);
        this.counter = counter;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            counter.incrementAndGet();
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            counter.addAndGet(n);
        }
        return n;
    }

    /** The counter's value: the bytes read through this stream, when the counter is its own. */
    public long count() {
        return counter.get();
    }
}
