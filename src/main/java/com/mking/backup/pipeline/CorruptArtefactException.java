package com.mking.backup.pipeline;

import java.io.IOException;

/**
 * The stored copy itself is bad: its checksum or authentication does not match, it is truncated, it
 * does not decode, or its data is gone while its manifest is there. Only this kind of failure may mark
 * a copy failed; everything else means "could not check here" and says nothing about the copy.
 */
public class CorruptArtefactException extends IOException {

    public CorruptArtefactException(String message) {
        super(message);
    }

    public CorruptArtefactException(String message, Throwable cause) {
        super(message, cause);
    }
}
