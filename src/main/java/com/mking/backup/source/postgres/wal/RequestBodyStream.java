package com.mking.backup.source.postgres.wal;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP request body read as a stream, a few chunks at a time: the request stays paused and chunks are
 * fetched only as the reader consumes them, so a large or slow upload holds at most
 * {@value #WINDOW} chunks in memory and the client is slowed by TCP flow control, never buffered.
 */
final class RequestBodyStream extends InputStream {

    private static final int WINDOW = 8;
    private static final Object END = new Object();

    private final HttpServerRequest request;
    private final BlockingQueue<Object> chunks = new LinkedBlockingQueue<>();
    private final AtomicInteger requested = new AtomicInteger();
    private final long idleTimeoutSeconds;
    private Buffer current;
    private int position;
    private boolean ended;

    RequestBodyStream(HttpServerRequest request, long idleTimeoutSeconds) {
        this.request = request;
        this.idleTimeoutSeconds = idleTimeoutSeconds;
        request.handler(buffer -> {
            requested.decrementAndGet();
            chunks.add(buffer);
        });
        request.endHandler(v -> chunks.add(END));
        request.exceptionHandler(chunks::add);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (current == null || position == current.length()) {
            if (ended) {
                return -1;
            }
            Object next = take();
            if (next == END) {
                ended = true;
                return -1;
            }
            if (next instanceof Throwable failure) {
                throw new IOException("the upload broke off: " + failure.getMessage(), failure);
            }
            current = (Buffer) next;
            position = 0;
        }
        int n = Math.min(length, current.length() - position);
        current.getBytes(position, position + n, buffer, offset);
        position += n;
        return n;
    }

    private Object take() throws IOException {
        if (chunks.isEmpty() && requested.get() <= 0) {
            requested.addAndGet(WINDOW);
            request.fetch(WINDOW);
        }
        try {
            Object next = chunks.poll(idleTimeoutSeconds, TimeUnit.SECONDS);
            if (next == null) {
                throw new IOException("the upload stalled: no data for " + idleTimeoutSeconds + " s");
            }
            return next;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading the upload");
        }
    }
}
