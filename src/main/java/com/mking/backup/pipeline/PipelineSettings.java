package com.mking.backup.pipeline;

/**
 * How artefacts are encoded: compression, its level and its worker threads (zstd only), and whether to encrypt
 * with the keyring's current key. {@code verifyAfterWrite} reads each stored copy back before it counts.
 */
public record PipelineSettings(Compression compression, int compressionLevel, int compressionThreads, boolean encrypt,
                               boolean verifyAfterWrite) {
}
