package com.mking.backup.store;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A store's upload buffers: at most {@code capacity} of {@code size} bytes, made when first needed and then reused by
 * every upload to the store. However many jobs upload at once, the store holds no more than this (four jobs each with
 * their own parts would take four times the heap), and the buffers stop being garbage that a collection must copy.
 */
final class PartBuffers {

    private final int size;
    private final int capacity;
    private final BlockingQueue<byte[]> free = new LinkedBlockingQueue<>();
    private int made;

    PartBuffers(int size, int capacity) {
        this.size = size;
        this.capacity = capacity;
    }

    /** A free buffer, or a new one while fewer than the capacity exist; else waits up to {@code timeout} (null then). */
    byte[] take(long timeout, TimeUnit unit) throws InterruptedException {
        byte[] buffer = free.poll();
        if (buffer != null) {
            return buffer;
        }
        synchronized (this) {
            if (made < capacity) {
                made++;
                return new byte[size];
            }
        }
        return free.poll(timeout, unit);
    }

    /** Waits until a buffer is free (one in use is always on its way back: a part being sent or an object being read). */
    byte[] take() throws InterruptedException {
        for (byte[] buffer; ; ) {
            if ((buffer = take(1, TimeUnit.SECONDS)) != null) {
                return buffer;
            }
        }
    }

    void release(byte[] buffer) {
        free.add(buffer);
    }

    /** Buffers made so far (for tests: the bound holds). */
    synchronized int made() {
        return made;
    }

    /** Buffers taken and not given back (for tests: a failed upload gives every one back). */
    synchronized int inUse() {
        return made - free.size();
    }
}
