package com.mking.backup.pipeline;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicLong;

/** Adds the bytes read through it to a counter another thread watches (the CLI's progress line). */
public final class ProgressInputStream extends FilterInputStream {

    private final AtomicLong progress;

    public ProgressInputStream(InputStream in, AtomicLong progress) {
        super(in);
        this.progress = progress;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            progress.incrementAndGet();
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            progress.addAndGet(n);
        }
        return n;
    }
}
