package com.mking.backup.pipeline;

import java.io.IOException;

/**
 * The encryption key a copy needs is not here, or the key file of that id is a different key. The copy
 * cannot be read on this machine, which says nothing about whether the copy is good.
 */
public final class KeyUnavailableException extends IOException {

    public KeyUnavailableException(String message) {
        super(message);
    }
}
