package com.mking.backup.pipeline;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs an iterator on a thread of its own, ahead of the caller, handing its items over in batches through a bounded
 * queue: decoding a stream of records (decryption, decompression, JSON) on one core while the caller works on the other.
 * What the source throws reaches the caller where its next item would have, after every item before it. Memory stays
 * bounded by {@code BATCHES} batches of {@code BATCH} items.
 */
public final class ReadAheadIterator<T> implements Iterator<T>, AutoCloseable {

    private static final int BATCH = 512;
    private static final int BATCHES = 4;

    /** Items, then either the end ({@code failure} null, {@code last}) or a failure. */
    private record Batch<T>(List<T> items, Throwable failure, boolean last) {
    }

    private final BlockingQueue<Batch<T>> batches = new ArrayBlockingQueue<>(BATCHES);
    private volatile boolean closed;
    private Iterator<T> current = List.<T>of().iterator();
    private Batch<T> pending;
    private boolean ended;

    public ReadAheadIterator(Iterator<T> source, String threadName) {
        Thread reader = new Thread(() -> readAll(source), threadName);
        reader.setDaemon(true);
        reader.start();
    }

    private void readAll(Iterator<T> source) {
        List<T> items = new ArrayList<>(BATCH);
        try {
            while (!closed && source.hasNext()) {
                items.add(source.next());
                if (items.size() == BATCH) {
                    hand(new Batch<>(items, null, false));
                    items = new ArrayList<>(BATCH);
                }
            }
            hand(new Batch<>(items, null, true));
        } catch (Throwable e) { // whatever it is, the caller must never wait for items that will not come
            hand(new Batch<>(items, e instanceof RuntimeException || e instanceof Error ? e : new IllegalStateException(e), true));
        }
    }

    /** Waits for room in the queue until the caller closes this (then the batch is dropped and the thread ends). */
    private void hand(Batch<T> batch) {
        boolean interrupted = false;
        while (!closed) {
            try {
                if (batches.offer(batch, 100, TimeUnit.MILLISECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true; // nobody but close() may end this thread: the caller waits for this batch
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean hasNext() {
        while (!current.hasNext()) {
            if (pending != null && pending.failure() != null) {
                Throwable failure = pending.failure();
                pending = null;
                ended = true;
                if (failure instanceof Error error) {
                    throw error;
                }
                throw (RuntimeException) failure;
            }
            if (ended || (pending != null && pending.last())) {
                ended = true;
                return false;
            }
            try {
                pending = batches.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Interrupted();
            }
            current = pending.items().iterator();
        }
        return true;
    }

    @Override
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return current.next();
    }

    /** The caller's thread was interrupted while it waited for items (not a failure of the source). */
    public static final class Interrupted extends RuntimeException {
        Interrupted() {
            super("interrupted while reading ahead");
        }
    }

    /** Stops the reading thread; the caller closes the source's stream, which ends a read it is blocked in. */
    @Override
    public void close() {
        closed = true;
        batches.clear();
    }
}
