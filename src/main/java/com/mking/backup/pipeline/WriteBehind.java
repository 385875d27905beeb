package com.mking.backup.pipeline;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Hands items to a consumer running on a thread of its own, in batches through a bounded queue: encoding a stream of
 * records (JSON, compression) on one core while the caller produces them on the other. A failure of the consumer is
 * thrown by the caller's next {@link #accept}, or by {@link #close}, which waits for every item to be consumed (and,
 * when the caller is interrupted, for the consumer to stop: what it writes to is closed after it).
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
    /** The caller was interrupted: the consumer stops without waiting for the end. */
    private volatile boolean abandoned;
    private boolean failureThrown;
    private List<T> filling = new ArrayList<>(BATCH);
    private boolean closed;

    public WriteBehind(Consumer<T> consumer, String threadName) {
        writer = new Thread(() -> consumeAll(consumer), threadName);
        writer.setDaemon(true);
        writer.start();
    }

    private void consumeAll(Consumer<T> consumer) {
        try {
            // after a failure, what the caller still hands over is taken and dropped: it never waits on a full queue
            for (List<T> batch; !abandoned && (batch = batches.take()) != END; ) {
                try {
                    for (int i = 0; i < batch.size() && failure == null && !abandoned; i++) {
                        consumer.accept(batch.get(i));
                    }
                } catch (Throwable e) {
                    if (failure == null) {
                        failure = e;
                    }
                }
            }
        } catch (InterruptedException e) {
            // only close() interrupts, after it set abandoned
        }
    }

    public void accept(T item) throws IOException {
        rethrowFailure();
        filling.add(item);
        if (filling.size() == BATCH) {
            List<T> full = filling;
            filling = new ArrayList<>(BATCH);
            hand(full);
        }
    }

    /** Hands over what is left and waits for the consumer to finish; throws its failure, if the caller has not seen it. */
    @Override
    @SuppressWarnings("unchecked")
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        boolean interrupted = false;
        try {
            if (!filling.isEmpty()) {
                hand(filling);
            }
            hand((List<T>) END);
        } catch (InterruptedIOException e) {
            interrupted = true;
        }
        while (true) {
            if (interrupted) {
                abandoned = true;
                writer.interrupt();
            }
            try {
                writer.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the index was written");
        }
        rethrowFailure();
    }

    private void hand(List<T> batch) throws IOException {
        try {
            batches.put(batch);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the index was written");
        }
    }

    /** Throws the consumer's failure once (a second throw of the same instance would suppress itself). */
    private void rethrowFailure() throws IOException {
        Throwable cause = failure;
        if (cause == null || failureThrown) {
            return;
        }
        failureThrown = true;
        if (cause instanceof IOException e) {
            throw e;
        }
        if (cause instanceof RuntimeException e) {
            throw e;
        }
        if (cause instanceof Error e) {
            throw e;
        }
        throw new IOException(cause);
    }
}
