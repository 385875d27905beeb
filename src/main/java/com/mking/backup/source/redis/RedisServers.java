package com.mking.backup.source.redis;

import com.mking.backup.exec.ShortCommand;
import com.mking.backup.source.ToolCommand;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts a redis-server on restored files: loopback only, daemonized, its log and pid file in the data directory. */
final class RedisServers {

    private static final long START_TIMEOUT_SECONDS = 120;

    private RedisServers() {
    }

    /** Starts it, waits until it answers (after loading), and returns its key count (DBSIZE of every database). */
    static long start(Path dataDir, int port, java.util.Optional<String> appendFile) throws IOException {
        List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--dir", dataDir.toString(), "--dbfilename", "dump.rdb", "--daemonize", "yes",
                "--logfile", dataDir.resolve("redis.log").toString(), "--pidfile", dataDir.resolve("redis.pid").toString()));
        if (appendFile.isPresent()) {
            args.addAll(List.of("--appendonly", "yes", "--appenddirname", "appendonlydir", "--appendfilename", appendFile.get()));
        }
        ShortCommand.run(new ToolCommand("redis-server", args), 30);
        long deadline = System.nanoTime() + START_TIMEOUT_SECONDS * 1_000_000_000L;
        while (true) {
            try {
                String pong = ShortCommand.run(new ToolCommand("redis-cli", List.of("-p", Integer.toString(port), "PING")), 5);
                if (pong.strip().equals("PONG")) { // answers only once the data set is loaded (LOADING otherwise)
                    String keyspace = ShortCommand.run(new ToolCommand("redis-cli", List.of("-p", Integer.toString(port),
                            "INFO", "keyspace")), 5);
                    return RedisSnapshot.parseInfo(keyspace).values().stream()
                            .mapToLong(value -> Long.parseLong(value.split(",")[0].replace("keys=", ""))).sum();
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("redis-server on port " + port + " did not answer within " + START_TIMEOUT_SECONDS
                        + " s; see " + dataDir.resolve("redis.log"));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("waiting for redis-server was interrupted");
            }
        }
    }
}
