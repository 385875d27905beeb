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

    static void start(Path dataDir, int port, boolean aof) throws IOException {
        List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--dir", dataDir.toString(), "--dbfilename", "dump.rdb", "--daemonize", "yes",
                "--logfile", dataDir.resolve("redis.log").toString(), "--pidfile", dataDir.resolve("redis.pid").toString()));
        if (aof) {
            args.addAll(List.of("--appendonly", "yes", "--appenddirname", "appendonlydir"));
        }
        ShortCommand.run(new ToolCommand("redis-server", args), 30);
        long deadline = System.nanoTime() + START_TIMEOUT_SECONDS * 1_000_000_000L;
        while (true) {
            try {
                String pong = ShortCommand.run(new ToolCommand("redis-cli", List.of("-p", Integer.toString(port), "PING")), 5);
                if (pong.strip().equals("PONG")) {
                    return; // answers only once the data set is loaded (LOADING otherwise)
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
