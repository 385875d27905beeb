package com.mking.backup.exec;

import com.mking.backup.pipeline.ChunkFilterInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A tool's input as its stdin feeder sees it: closing hands the stream back instead of closing it. A tool may
 * stop reading early ({@code pg_restore --list} reads the table of contents only); once its feeder has let go,
 * the caller reads the rest, so that the checksums compared at the end of the stream are always compared.
 */
public final class HandedBackInputStream extends ChunkFilterInputStream {

    private final CountDownLatch released = new CountDownLatch(1);
    /** What a read by the feeder threw: the checks below fire once, so the rest must not read past it. */
    private volatile IOException failure;

    public HandedBackInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        try {
            return in.read(buffer, offset, length);
        } catch (IOException e) {
            failure = e;
            throw e;
        }
    }

    @Override
    public void close() {
        released.countDown();
    }

    /** Closes the stream itself (the caller owns it). */
    public void closeSource() throws IOException {
        in.close();
    }

    /** Waits for the feeder to let go, then reads what the tool left to the end (the owner still closes it). */
    public void readRest(long timeout, TimeUnit unit) throws IOException {
        try {
            if (!released.await(timeout, unit)) {
                throw new IOException("the tool's input was not released within " + unit.toSeconds(timeout) + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for the tool's input");
        }
        if (failure != null) {
            throw failure;
        }
        in.transferTo(OutputStream.nullOutputStream());
    }
}
