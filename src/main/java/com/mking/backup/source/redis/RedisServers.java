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

    /**
     * Starts it, waits until it answers (after loading) and returns its key count (every database). The server that
     * answers on the port must be the one started (its process id is the pid file's): another process may have taken
     * the port meanwhile.
     */
    static long start(String redisServer, String redisCli, Path dataDir, int port, java.util.Optional<String> appendFile)
            throws IOException {
        List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--dir", dataDir.toString(), "--dbfilename", "dump.rdb", "--daemonize", "yes",
                "--logfile", dataDir.resolve("redis.log").toString(), "--pidfile", dataDir.resolve("redis.pid").toString()));
        if (appendFile.isPresent()) {
            args.addAll(List.of("--appendonly", "yes", "--appenddirname", "appendonlydir", "--appendfilename", appendFile.get()));
        }
        ShortCommand.run(new ToolCommand(redisServer, args), 30);
        long deadline = System.nanoTime() + START_TIMEOUT_SECONDS * 1_000_000_000L;
        while (true) {
            String pong;
            try {
                pong = ShortCommand.run(new ToolCommand(redisCli, List.of("-p", Integer.toString(port), "PING")), 5).strip();
            } catch (IOException e) {
                pong = ""; // not listening yet
            }
            if (pong.equals("PONG")) { // answers only once the data set is loaded (LOADING otherwise)
                String server = RedisSnapshot.parseInfo(ShortCommand.run(new ToolCommand(redisCli,
                        List.of("-p", Integer.toString(port), "INFO", "server")), 5)).get("process_id");
                if (!pid(dataDir).map(String::valueOf).equals(java.util.Optional.ofNullable(server))) {
                    throw new IOException("port " + port + " is answered by another process (" + server
                            + "), not the redis-server started on " + dataDir + "; see " + dataDir.resolve("redis.log"));
                }
                String keyspace = ShortCommand.run(new ToolCommand(redisCli, List.of("-p", Integer.toString(port),
                        "INFO", "keyspace")), 5);
                return RedisSnapshot.parseInfo(keyspace).values().stream()
                        .mapToLong(value -> Long.parseLong(keyspaceCounts(value).getOrDefault("keys", "0"))).sum();
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

    /** The process id in the data directory's pid file, if the file is there. */
    static java.util.Optional<Long> pid(Path dataDir) {
        try {
            String text = java.nio.file.Files.readString(dataDir.resolve("redis.pid")).strip();
            return text.matches("\\d+") ? java.util.Optional.of(Long.parseLong(text)) : java.util.Optional.empty();
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /** Stops the redis-server of this data directory by its pid file (never by port), waiting up to 30 s. */
    static void stop(Path dataDir) {
        pid(dataDir).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive).ifPresent(process -> {
            process.destroy(); // SIGTERM: redis-server exits (nothing to save: it was started on a copy)
            try {
                process.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                process.destroyForcibly();
            }
        });
    }

    /** {@code keys=12,expires=3,avg_ttl=0} → keys=12, expires=3, avg_ttl=0. */
    static java.util.Map<String, String> keyspaceCounts(String value) {
        java.util.Map<String, String> counts = new java.util.LinkedHashMap<>();
        for (String pair : value.split(",")) {
            String[] parts = pair.split("=", 2);
            if (parts.length == 2) {
                counts.put(parts[0].strip(), parts[1].strip());
            }
        }
        return counts;
    }
}
