package com.mking.backup.pipeline;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A filter that sees every byte through {@link #read(byte[], int, int)}: single-byte reads go through it,
 * and skipping (which would bypass whatever the filter checks) is refused.
 */
public abstract class ChunkFilterInputStream extends FilterInputStream {

    protected ChunkFilterInputStream(InputStream in) {
        super(in);
    }

    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public abstract int read(byte[] buffer, int offset, int length) throws IOException;

    @Override
    public long skip(long n) throws IOException {
        throw new IOException("skipping would bypass the checks of the stream");
    }
}
