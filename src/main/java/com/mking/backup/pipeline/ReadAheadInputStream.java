package com.mking.backup.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Reads its source on a thread of its own, ahead of the caller, so that two stages of decoding use two cores
 * (reading and decryption there; decompression, hashing and the consumer here). Memory stays bounded by the
 * pipe. What the source throws reaches the caller unchanged, where its data would have; the caller sees the end
 * of the stream only after the source ended cleanly (its checks at the end included).
 */
public final class ReadAheadInputStream extends ChunkFilterInputStream {

    private static final int CHUNK_SIZE = 256 << 10;
    /** Chunks read ahead: 2 MiB. */
    private static final int CHUNKS = 8;

    private final InputStream source;

    private ReadAheadInputStream(Pipe pipe, InputStream source, String threadName) {
        super(pipe.source());
        this.source = source;
        Thread reader = new Thread(() -> copy(source, pipe), threadName);
        reader.setDaemon(true);
        reader.start();
    }

    public static InputStream of(InputStream source, String threadName) {
        return new ReadAheadInputStream(new Pipe(CHUNKS), source, threadName);
    }

    private static void copy(InputStream source, Pipe pipe) {
        OutputStream sink = pipe.sink();
        try {
            byte[] buffer = new byte[CHUNK_SIZE];
            // whole chunks: the decryption hands out one 4 KiB segment per read
            for (int n; (n = source.readNBytes(buffer, 0, buffer.length)) > 0; ) {
                sink.write(buffer, 0, n);
            }
            sink.close();
        } catch (Pipe.ReaderGone e) {
            // the caller stopped reading: nothing more to deliver
        } catch (Throwable e) { // an Error too: the caller must never wait for data that will not come
            pipe.abort(e);
        }
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        try {
            return in.read(buffer, offset, length);
        } catch (Pipe.Aborted e) {
            if (e.getCause() instanceof IOException failure) {
                throw failure;
            }
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error failure) {
                throw failure;
            }
            throw e;
        }
    }

    /** Stops the reading thread (its next hand-over fails) and closes the source, which ends a blocked read. */
    @Override
    public void close() throws IOException {
        in.close();
        source.close();
    }
}
