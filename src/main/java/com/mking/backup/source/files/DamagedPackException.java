package com.mking.backup.source.files;

import com.mking.backup.pipeline.CorruptArtefactException;

/** A pack whose stored bytes are not what was written (checksum, authentication, length, or content decoded wrong). */
final class DamagedPackException extends CorruptArtefactException {

    private final String packId;

    DamagedPackException(String packId, String message, Throwable cause) {
        super(message, cause);
        this.packId = packId;
    }

    String packId() {
        return packId;
    }
}
