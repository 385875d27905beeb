package com.mking.backup.support;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

/** Alters a stored file the way bit rot or tampering would: the same size, one byte different. */
public final class Damage {

    private Damage() {
    }

    /** Flips bits of the byte in the middle of {@code file}; returns what it was, for {@link #restoreMiddleByte}. */
    public static byte flipMiddleByte(Path file) throws IOException {
        try (RandomAccessFile data = new RandomAccessFile(file.toFile(), "rw")) {
            data.seek(data.length() / 2);
            byte original = data.readByte();
            data.seek(data.length() / 2);
            data.writeByte(original ^ 0x55);
            return original;
        }
    }

    /** Puts back the byte {@link #flipMiddleByte} changed. */
    public static void restoreMiddleByte(Path file, byte original) throws IOException {
        try (RandomAccessFile data = new RandomAccessFile(file.toFile(), "rw")) {
            data.seek(data.length() / 2);
            data.writeByte(original);
        }
    }
}
