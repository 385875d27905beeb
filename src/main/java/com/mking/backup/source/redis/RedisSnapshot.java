package com.mking.backup.source.redis;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Makes Redis write a fresh snapshot and waits for it (the seed's loop compared LASTSAVE with itself and never
 * waited): LASTSAVE is read before asking, and the save counts once none is in progress, it ended (the counter
 * {@code rdb_saves} moved) and LASTSAVE moved past that value. LASTSAVE has one-second resolution, so the request waits until the
 * server's clock is past the last save. A failed save ({@code rdb_last_bgsave_status:err} once it ended) or the
 * timeout fails.
 */
final class RedisSnapshot {

    /** Runs one redis-cli command and returns its output. */
    @FunctionalInterface
    interface Cli {
        String run(String... command) throws IOException;
    }

    private static final long POLL_MILLIS = 100;

    private final Cli cli;
    private final long timeoutSeconds;

    RedisSnapshot(Cli cli, long timeoutSeconds) {
        this.cli = cli;
        this.timeoutSeconds = timeoutSeconds;
    }

    void save() throws IOException {
        long lastSaveBefore = number(cli.run("LASTSAVE"), "LASTSAVE");
        long savesBefore = counter(persistence(), "rdb_saves");
        while (serverSeconds() <= lastSaveBefore) {
            sleep(); // a save finishing within the same second would not move LASTSAVE
        }
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        String reply = cli.run("BGSAVE", "SCHEDULE");
        while (reply.contains("already in progress")) {
            // a save the server began on its own, before this request: wait for it, then ask for ours
            if (System.nanoTime() > deadline) {
                throw new IOException("a Redis save already in progress did not finish within " + timeoutSeconds + " s");
            }
            sleep();
            reply = cli.run("BGSAVE", "SCHEDULE");
        }
        if (!reply.startsWith("Background saving")) {
            throw new IOException("Redis refused BGSAVE: " + reply);
        }
        boolean seenRunning = reply.contains("started");
        while (true) {
            Map<String, String> info = persistence();
            boolean running = "1".equals(info.get("rdb_bgsave_in_progress"));
            seenRunning |= running;
            // rdb_saves counts every save that ended, failed or not; servers without it: one was seen running
            boolean ended = !running && (counter(info, "rdb_saves") > savesBefore || seenRunning);
            if (ended && "err".equals(info.get("rdb_last_bgsave_status"))) {
                throw new IOException("Redis BGSAVE failed (rdb_last_bgsave_status:err): the server could not write its "
                        + "snapshot; its log says why (a full disk, or a data directory it cannot write)");
            }
            if (ended && number(cli.run("LASTSAVE"), "LASTSAVE") > lastSaveBefore) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("Redis BGSAVE did not finish within " + timeoutSeconds + " s (saveTimeoutSeconds)");
            }
            sleep();
        }
    }

    /** Rewrites the AOF and waits until no rewrite is in progress or scheduled and the last one succeeded. */
    void rewriteAof() throws IOException {
        long rewritesBefore = counter(persistence(), "aof_rewrites");
        String reply = cli.run("BGREWRITEAOF");
        if (!reply.startsWith("Background append only file rewriting")) {
            throw new IOException("Redis refused BGREWRITEAOF: " + reply);
        }
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (true) {
            Map<String, String> info = persistence();
            boolean busy = "1".equals(info.get("aof_rewrite_in_progress")) || "1".equals(info.get("aof_rewrite_scheduled"));
            if (!busy && counter(info, "aof_rewrites") > rewritesBefore) {
                if (!"ok".equals(info.get("aof_last_bgrewrite_status"))) {
                    throw new IOException("Redis BGREWRITEAOF failed (aof_last_bgrewrite_status:"
                            + info.get("aof_last_bgrewrite_status") + "); its log says why");
                }
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("Redis BGREWRITEAOF did not finish within " + timeoutSeconds + " s (saveTimeoutSeconds)");
            }
            sleep();
        }
    }

    /** {@code INFO} output as name → value ({@code # Section} headers and blank lines skipped). */
    static Map<String, String> parseInfo(String info) {
        Map<String, String> values = new LinkedHashMap<>();
        info.lines().map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")).forEach(line -> {
            int colon = line.indexOf(':');
            if (colon > 0) {
                values.put(line.substring(0, colon), line.substring(colon + 1));
            }
        });
        return values;
    }

    private Map<String, String> persistence() throws IOException {
        return parseInfo(cli.run("INFO", "persistence"));
    }

    private long serverSeconds() throws IOException {
        return number(cli.run("TIME").lines().findFirst().orElse(""), "TIME");
    }

    private static long counter(Map<String, String> info, String name) {
        String value = info.get(name);
        return value == null || !value.matches("\\d+") ? -1 : Long.parseLong(value);
    }

    private static long number(String reply, String command) throws IOException {
        String value = reply.strip();
        if (!value.matches("\\d+")) {
            throw new IOException("unexpected answer to " + command + ": " + value);
        }
        return Long.parseLong(value);
    }

    private static void sleep() throws IOException {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("waiting for Redis was interrupted");
        }
    }
}
