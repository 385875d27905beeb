package com.mking.backup.pipeline;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/** Passes bytes through while counting them and computing their SHA-256. */
public final class DigestOutputStream extends FilterOutputStream {

    private final MessageDigest digest = Sha256.newDigest();
    private long count;

    public DigestOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        digest.update((byte) b);
        count++;
    }

    @Override
    public void write(byte[] buffer, int offset, int length) throws IOException {
        out.write(buffer, offset, length);
        digest.update(buffer, offset, length);
        count += length;
    }

    public long count() {
        return count;
    }

    /** Hex SHA-256 of everything written; call once, after the last write. */
    public String sha256() {
        return Sha256.hex(digest.digest());
    }
}
