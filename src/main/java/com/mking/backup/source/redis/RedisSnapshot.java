package com.mking.backup.source.redis;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Makes Redis write a fresh snapshot and waits for it (the seed's loop compared LASTSAVE with itself and never
 * waited): LASTSAVE is read before asking; the save counts once ours has started (the counter {@code rdb_saves}, which
 * counts saves as they start, passed its value at our request, or the reply said it started), none is in progress, and
 * LASTSAVE moved past the value read before. LASTSAVE has one-second resolution, so the request waits until the
 * server's clock is past the last save. A failed save ({@code rdb_last_bgsave_status:err} once it ended) or the
 * timeout fails.
 */
final class RedisSnapshot {

    /** Runs one redis-cli command and returns its output. */
    @FunctionalInterface
    interface Cli {
        String run(String... command) throws IOException;
    }

    /** How often a local server is asked whether the save ended. */
    static final long LOCAL_POLL_MILLIS = 100;
    /** The same over ssh: each question is a connection of its own (sshd's MaxStartups must not be hit). */
    static final long REMOTE_POLL_MILLIS = 1000;

    private final Cli cli;
    private final long timeoutSeconds;
    private final long pollMillis;

    RedisSnapshot(Cli cli, long timeoutSeconds) {
        this(cli, timeoutSeconds, LOCAL_POLL_MILLIS);
    }

    RedisSnapshot(Cli cli, long timeoutSeconds, long pollMillis) {
        this.cli = cli;
        this.timeoutSeconds = timeoutSeconds;
        this.pollMillis = pollMillis;
    }

    void save() throws IOException {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        long lastSaveBefore = number(cli.run("LASTSAVE"), "LASTSAVE");
        while (serverSeconds() <= lastSaveBefore) {
            // a save finishing within the same second would not move LASTSAVE
            checkDeadline(deadline, "the server's clock did not pass its last save (LASTSAVE " + lastSaveBefore + ")");
            sleep();
        }
        String reply = cli.run("BGSAVE", "SCHEDULE");
        while (reply.contains("already in progress")) {
            // a save the server began on its own, before this request: wait for it, then ask for ours
            checkDeadline(deadline, "a Redis save already in progress did not finish");
            sleep();
            reply = cli.run("BGSAVE", "SCHEDULE");
        }
        if (!reply.startsWith("Background saving")) {
            throw new IOException("Redis refused BGSAVE: " + reply);
        }
        // rdb_saves counts saves as they start: "started" means ours is counted already; "scheduled" (another child,
        // e.g. an AOF rewrite, is running) means ours starts once the counter passes its value now
        long savesAtReply = counter(persistence(), "rdb_saves");
        boolean oursStarted = reply.contains("started");
        while (true) {
            Map<String, String> info = persistence();
            boolean running = "1".equals(info.get("rdb_bgsave_in_progress"));
            long saves = counter(info, "rdb_saves");
            oursStarted |= saves > savesAtReply || (saves < 0 && running);
            if (oursStarted && !running) {
                if ("err".equals(info.get("rdb_last_bgsave_status"))) {
                    throw new IOException("Redis BGSAVE failed (rdb_last_bgsave_status:err): the server could not write its "
                            + "snapshot; its log says why (a full disk, or a data directory it cannot write)");
                }
                if (number(cli.run("LASTSAVE"), "LASTSAVE") > lastSaveBefore) {
                    return;
                }
            }
            checkDeadline(deadline, "Redis BGSAVE did not finish");
            sleep();
        }
    }

    /**
     * Rewrites the AOF and waits until no rewrite is in progress or scheduled and the last one succeeded. A rewrite the
     * server already runs is waited for, then ours is asked for. Needs Redis 7 (its multi-part AOF and counters).
     */
    void rewriteAof() throws IOException {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        long rewritesBefore = counter(persistence(), "aof_rewrites");
        if (rewritesBefore < 0) {
            throw new IOException("this Redis reports no aof_rewrites: AOF backups need Redis 7 (its AOF directory); "
                    + "set the job's aof parameter to off (the RDB snapshot is still backed up)");
        }
        String reply = cli.run("BGREWRITEAOF");
        while (reply.contains("already in progress")) {
            checkDeadline(deadline, "an AOF rewrite already in progress did not finish");
            sleep();
            reply = cli.run("BGREWRITEAOF");
        }
        if (!reply.startsWith("Background append only file rewriting")) {
            throw new IOException("Redis refused BGREWRITEAOF: " + reply);
        }
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
            checkDeadline(deadline, "Redis BGREWRITEAOF did not finish");
            sleep();
        }
    }

    private void checkDeadline(long deadline, String what) throws IOException {
        if (System.nanoTime() > deadline) {
            throw new IOException(what + " within " + timeoutSeconds + " s (saveTimeoutSeconds)");
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

    private void sleep() throws IOException {
        try {
            Thread.sleep(pollMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("waiting for Redis was interrupted");
        }
    }
}
