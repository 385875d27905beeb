package com.mking.backup.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bounded in-memory pipe between one writer thread and one reader thread. Unlike
 * {@link java.io.PipedInputStream}, the writer can {@link #abort} it: the reader then fails instead of
 * seeing a clean end of stream, so a store never publishes a truncated artefact as complete.
 *
 * <p>The arrays the reader has emptied go back to the writer: a backup's bytes cross several pipes, and a new array per
 * chunk made the collector copy and promote hundreds of megabytes of them per run.
 */
public final class Pipe {

    /** Bytes {@code 0..length} of {@code bytes} are the chunk's. */
    private record Chunk(byte[] bytes, int length) {
    }

    private static final Chunk END = new Chunk(new byte[0], 0);

    private final BlockingQueue<Chunk> chunks;
    /** Emptied arrays, for the writer to fill again (a few more than the queue holds: one being read, one being filled). */
    private final BlockingQueue<byte[]> emptied;
    private volatile Throwable abortCause;
    private volatile boolean readerGone;

    /** @param capacityChunks how many written chunks may wait for the reader (memory bound). */
    public Pipe(int capacityChunks) {
        this.chunks = new ArrayBlockingQueue<>(capacityChunks);
        this.emptied = new ArrayBlockingQueue<>(capacityChunks + 2);
    }

    public OutputStream sink() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[]{(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] buffer, int offset, int length) throws IOException {
                if (length > 0) {
                    byte[] copy = emptied.poll();
                    if (copy == null || copy.length < length) {
                        copy = new byte[length];
                    }
                    System.arraycopy(buffer, offset, copy, 0, length);
                    offer(new Chunk(copy, length));
                }
            }

            @Override
            public void close() throws IOException {
                offer(END);
            }
        };
    }

    /** Makes the reader fail with {@code cause} instead of reaching a clean end of stream. */
    public void abort(Throwable cause) {
        abortCause = cause;
        chunks.clear();
        chunks.offer(END);
    }

    public InputStream source() {
        return new InputStream() {
            private Chunk current = END;
            private int position;
            private boolean ended;

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
                while (position == current.length()) {
                    if (ended) {
                        return -1;
                    }
                    if (current != END) {
                        emptied.offer(current.bytes()); // dropped when enough wait already
                        current = END;
                        position = 0;
                    }
                    if (abortCause != null) { // every read after an abort fails too: the end marker is taken once
                        throw new Aborted(abortCause);
                    }
                    Chunk next = take();
                    if (abortCause != null) {
                        throw new Aborted(abortCause);
                    }
                    if (next == END) {
                        ended = true;
                        return -1;
                    }
                    current = next;
                    position = 0;
                }
                int n = Math.min(length, current.length() - position);
                System.arraycopy(current.bytes(), position, buffer, offset, n);
                position += n;
                return n;
            }

            @Override
            public void close() {
                readerGone = true;
                chunks.clear();
            }
        };
    }

    private void offer(Chunk chunk) throws IOException {
        try {
            while (!chunks.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
                if (readerGone) {
                    throw new ReaderGone();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing to pipe");
        }
    }

    private Chunk take() throws IOException {
        try {
            return chunks.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading from pipe");
        }
    }

    /** The reader sees this when the writer gave up: the data is incomplete and must not be published. */
    public static final class Aborted extends IOException {
        Aborted(Throwable cause) {
            super("stream aborted by its writer: " + cause.getMessage(), cause);
        }
    }

    /** The writer sees this when the reader stopped early (its store failed). */
    public static final class ReaderGone extends IOException {
        ReaderGone() {
            super("the reading side of the pipe has closed");
        }
    }

    /** True when {@code failure} (or a cause of it) is one of this pipe's own signals, not a root failure. */
    public static boolean isPipeSignal(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Aborted || t instanceof ReaderGone) {
                return true;
            }
        }
        return false;
    }
}
