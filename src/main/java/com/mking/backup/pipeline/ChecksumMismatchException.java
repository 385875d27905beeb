package com.mking.backup.pipeline;

/** Stored bytes differ from what the manifest recorded: the copy is corrupt or was tampered with. */
public final class ChecksumMismatchException extends CorruptArtefactException {

    public ChecksumMismatchException(String what, String expected, String actual) {
        super("SHA-256 mismatch for " + what + ": expected " + expected + ", found " + actual
                + " (the stored copy is corrupt; restore from another store or another backup)");
    }
}
