package com.mking.backup.pipeline;

import java.io.IOException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How a backup's data was encrypted, named in its manifest ({@code encryption.algorithm}). Readers take the
 * format from the manifest, so backups written in an older format stay readable; new backups use
 * {@link #CURRENT}.
 *
 * <p>Both are Tink's AES-256-GCM-HKDF streaming AEAD (every segment authenticated, a key per stream derived
 * with HKDF-SHA256); only the segment size differs. The JDK's AES-GCM runs its fast (intrinsic) code only
 * once the JIT has compiled the method that gets one call per segment: with 1 MiB segments that never
 * happens in a backup's lifetime (75 MB/s), with 4 KiB segments it happens within the first megabytes
 * (600-800 MB/s from a cold JVM; {@code bench/cipher} measures every size). The tag costs 16 bytes a segment.
 */
public enum EncryptionFormat {
    /** Backups written before 2026-11-27. */
    AES256_GCM_HKDF_1MB("AES256-GCM-HKDF-1MB", 1 << 20),
    AES256_GCM_HKDF_4KB("AES256-GCM-HKDF-4KB", 4 << 10);

    public static final EncryptionFormat CURRENT = AES256_GCM_HKDF_4KB;

    private final String id;
    private final int segmentSize;

    EncryptionFormat(String id, int segmentSize) {
        this.id = id;
        this.segmentSize = segmentSize;
    }

    /** The name stored in manifests. */
    public String id() {
        return id;
    }

    public int segmentSize() {
        return segmentSize;
    }

    /** The format a manifest names; an unknown one was written by a newer version (not a sign of a bad copy). */
    public static EncryptionFormat of(String id) throws IOException {
        return Arrays.stream(values()).filter(format -> format.id.equals(id)).findFirst()
                .orElseThrow(() -> new IOException("encryption format '" + id + "' is unknown to this version of "
                        + "mking-backup (it reads " + Arrays.stream(values()).map(EncryptionFormat::id)
                        .collect(Collectors.joining(", ")) + "): read this backup with the version that wrote it or a newer one"));
    }
}
