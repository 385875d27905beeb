package com.mking.backup.pipeline;

import java.io.IOException;

/**
 * Reading from a store failed (connection lost, timeout, permission): the copy could not be read, which
 * says nothing about its content. Raised by the store layer of {@link ArtefactReader} so that layers
 * above it (decryption, decompression) do not mistake it for corrupt data.
 */
public final class StoreReadException extends IOException {

    public StoreReadException(String message, Throwable cause) {
        super(message, cause);
    }
}
