package com.mking.backup.source.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * Writes one piece of a newly created file at its offset, leaving every 4 KiB run of zeros unwritten, so a sparse
 * file (a VM image, a preallocated upload) is restored as holes instead of filling the disk, as {@code cp
 * --sparse=always} and restic's {@code --sparse} do. The content reads back identical: the file is new, so a byte never
 * written reads as zero. A piece that ends in zeros still gets its last byte written, which gives the file its length.
 */
final class HoleWriter {

    static final int BLOCK = 4096;
    private static final byte[] ZEROS = new byte[BLOCK];

    private final FileChannel channel;
    private long position;
    /** Whether the bytes just before {@link #position} were left unwritten. */
    private boolean endsInHole;

    HoleWriter(FileChannel channel, long offset) {
        this.channel = channel;
        this.position = offset;
    }

    void write(byte[] buffer, int length) throws IOException {
        int from = 0;
        while (from < length) {
            int to = Math.min(from + BLOCK, length);
            if (Arrays.mismatch(buffer, from, to, ZEROS, 0, to - from) == -1) {
                from = to;
                endsInHole = true;
                continue;
            }
            // the next run of blocks that are not all zeros, written in one call
            while (to < length && Arrays.mismatch(buffer, to, Math.min(to + BLOCK, length), ZEROS, 0,
                    Math.min(to + BLOCK, length) - to) != -1) {
                to = Math.min(to + BLOCK, length);
            }
            writeFully(ByteBuffer.wrap(buffer, from, to - from), position + from);
            from = to;
            endsInHole = false;
        }
        position += length;
    }

    /** Ends the piece: a trailing hole gets its last byte, so the file reaches the piece's end. */
    void finish() throws IOException {
        if (endsInHole) {
            writeFully(ByteBuffer.wrap(ZEROS, 0, 1), position - 1);
            endsInHole = false;
        }
    }

    private void writeFully(ByteBuffer bytes, long at) throws IOException {
        long offset = at;
        while (bytes.hasRemaining()) {
            offset += channel.write(bytes, offset);
        }
    }
}
