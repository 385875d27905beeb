package com.mking.backup.pipeline;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Compression of backup streams. zstd is the default: fast at level 1-3 and a good ratio on dumps. */
public enum Compression {
    NONE(""),
    ZSTD(".zst"),
    GZIP(".gz");

    private static final int BUFFER = 1 << 16;

    private final String extension;

    Compression(String extension) {
        this.extension = extension;
    }

    public String extension() {
        return extension;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public OutputStream compress(OutputStream out, int level) throws IOException {
        return switch (this) {
            case NONE -> out;
            // one zstd worker thread: compression overlaps with reading and hashing on the caller's thread
            case ZSTD -> new ZstdOutputStream(out, level).setChecksum(true).setWorkers(1);
            case GZIP -> new GZIPOutputStream(out, BUFFER) {
                {
                    def.setLevel(Math.max(1, Math.min(9, level)));
                }
            };
        };
    }

    public InputStream decompress(InputStream in) throws IOException {
        return switch (this) {
            case NONE -> in;
            case ZSTD -> new ZstdInputStream(in);
            case GZIP -> new GZIPInputStream(in, BUFFER);
        };
    }

    /** Parses a configured value; the message names the accepted values. */
    public static Compression parse(String value) {
        return Arrays.stream(values()).filter(c -> c.id().equalsIgnoreCase(value.trim())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown compression '" + value + "', use one of zstd, gzip, none"));
    }
}
