package com.mking.backup.pipeline;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Hands items to a consumer running on a thread of its own, in batches through a bounded queue: encoding a stream of
 * records (JSON, compression) on one core while the caller produces them on the other. A failure of the consumer is
 * thrown by the caller's next {@link #accept} or by {@link #close}, which waits for every item to be consumed.
 */
public final class WriteBehind<T> implements AutoCloseable {

    /** Consumes one item; may fail with an I/O error. */
    @FunctionalInterface
    public interface Consumer<T> {
        void accept(T item) throws IOException;
    }

    private static final int BATCH = 512;
    private static final int BATCHES = 4;
    /** Handed over by close(), compared by identity. */
    private static final List<Object> END = new ArrayList<>(0);

    private final BlockingQueue<List<T>> batches = new ArrayBlockingQueue<>(BATCHES);
    private final Thread writer;
    private volatile Throwable failure;
    private List<T> filling = new ArrayList<>(BATCH);
    private boolean closed;

    public WriteBehind(Consumer<T> consumer, String threadName) {
        writer = new Thread(() -> consumeAll(consumer), threadName);
        writer.setDaemon(true);
        writer.start();
    }

    @SuppressWarnings("unchecked")
    private void consumeAll(Consumer<T> consumer) {
        try {
            // after a failure, what the caller still hands over is taken and dropped: it never waits on a full queue
            for (List<T> batch; (batch = batches.take()) != END; ) {
                try {
                    for (int i = 0; i < batch.size() && failure == null; i++) {
                        consumer.accept(batch.get(i));
                    }
                } catch (Throwable e) {
                    failure = e;
                }
            }
        } catch (InterruptedException e) {
            failure = e; // nobody interrupts this thread: not expected
        }
    }

    public void accept(T item) throws IOException {
        rethrowFailure();
        filling.add(item);
        if (filling.size() == BATCH) {
            hand(filling);
            filling = new ArrayList<>(BATCH);
        }
    }

    /** Hands over what is left and waits for the consumer to finish; throws its failure, if any. */
    @Override
    @SuppressWarnings("unchecked")
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (!filling.isEmpty()) {
            hand(filling);
        }
        hand((List<T>) END);
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while writing behind");
        }
        rethrowFailure();
    }

    private void hand(List<T> batch) throws IOException {
        try {
            batches.put(batch);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while writing behind");
        }
    }

    private void rethrowFailure() throws IOException {
        Throwable cause = failure;
        if (cause instanceof IOException e) {
            throw e;
        }
        if (cause instanceof RuntimeException e) {
            throw e;
        }
        if (cause instanceof Error e) {
            throw e;
        }
        if (cause != null) {
            throw new IOException(cause);
        }
    }
}
