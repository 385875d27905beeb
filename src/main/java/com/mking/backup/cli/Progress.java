package com.mking.backup.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/** A progress line (bytes and rate) redrawn once a second, only when output is a terminal. */
final class Progress implements AutoCloseable {

    private final Thread thread;
    private final PrintStream out;

    Progress(String label, AtomicLong bytes, PrintStream out) {
        this.out = out;
        long start = System.nanoTime();
        thread = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(1000);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    long done = bytes.get();
                    out.printf(Locale.ROOT, "\r%s: %s read, %s/s   ", label, human(done), human((long) (done / seconds)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "progress");
        thread.setDaemon(true);
        if (System.console() != null) {
            thread.start();
        }
    }

    @Override
    public void close() {
        if (thread.isAlive()) {
            thread.interrupt();
            out.println();
        }
    }

    static String human(long bytes) {
        return com.mking.backup.report.Bytes.human(bytes);
    }
}
