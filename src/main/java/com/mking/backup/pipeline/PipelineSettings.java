package com.mking.backup.pipeline;

/**
 * How artefacts are encoded: compression and its level, and whether to encrypt with the keyring's
 * current key. {@code verifyAfterWrite} re-reads each stored copy and compares size and SHA-256.
 */
public record PipelineSettings(Compression compression, int compressionLevel, boolean encrypt, boolean verifyAfterWrite) {
}
