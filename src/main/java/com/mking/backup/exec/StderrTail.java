package com.mking.backup.exec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Drains a process's stderr on a thread of its own, keeping only the last few KiB for error messages. */
final class StderrTail {

    private static final int KEEP = 4096;

    private final byte[] ring = new byte[KEEP];
    private long written;
    private final Thread thread;

    StderrTail(InputStream stderr, String name) {
        thread = new Thread(() -> drain(stderr), name + "-stderr");
        thread.setDaemon(true);
        thread.start();
    }

    private void drain(InputStream stderr) {
        byte[] buffer = new byte[8192];
        try (stderr) {
            for (int n; (n = stderr.read(buffer)) > 0; ) {
                synchronized (this) {
                    for (int i = 0; i < n; i++) {
                        ring[(int) (written++ % KEEP)] = buffer[i];
                    }
                }
            }
        } catch (IOException ignored) {
            // the process died; what was read is what there is
        }
    }

    void awaitEnd() {
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    synchronized String text() {
        int size = (int) Math.min(written, KEEP);
        byte[] out = new byte[size];
        long start = written - size;
        for (int i = 0; i < size; i++) {
            out[i] = ring[(int) ((start + i) % KEEP)];
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
