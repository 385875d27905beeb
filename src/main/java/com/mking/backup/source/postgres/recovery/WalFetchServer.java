package com.mking.backup.source.postgres.recovery;

import com.mking.backup.job.BackupRunner;
import com.mking.backup.source.postgres.wal.WalArchive;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Serves archived WAL to a server in recovery, for as long as the {@code recover} command runs, on a
 * random loopback port: the restore works with no daemon running (the disaster case).
 *
 * <p>Each file is decoded and checked in full (decryption, both SHA-256s) into a scratch file before a
 * single byte is answered, so a bad file is never handed over as a short or empty 200. The matching
 * {@code restore_command} tells three answers apart: 200 (the file), 404 (not archived: exit 1, and
 * PostgreSQL ends recovery there), and anything else (the file is there but cannot be read back: the
 * cause goes to the server log and the command exits 126, which makes PostgreSQL abort recovery rather
 * than stop early). Failures are remembered so the recovery can end with their cause.
 */
public final class WalFetchServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WalFetchServer.class);

    private final HttpServer server;
    private final String job;
    private final Path scratch;
    private final Set<String> missing = Collections.synchronizedSet(new LinkedHashSet<>());
    private final Map<String, String> failures = Collections.synchronizedMap(new LinkedHashMap<>());

    public WalFetchServer(WalArchive archive, String job, String fromStore) throws IOException {
        this.job = job;
        this.scratch = Files.createTempDirectory("mking-wal-fetch");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/wal/", exchange -> serve(archive, fromStore, exchange));
        server.start();
    }

    /** The restore_command for postgresql.conf (PostgreSQL fills in %f and %p). */
    public String restoreCommand() {
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/wal/" + job + "/%f";
        return "code=$(curl -sS -o \"%p\" -w \"%%{http_code}\" " + url + ") || exit 126; "
                + "[ \"$code\" = 200 ] && exit 0; [ \"$code\" = 404 ] && { rm -f \"%p\"; exit 1; }; "
                + "cat \"%p\" >&2; rm -f \"%p\"; exit 126";
    }

    /** WAL segments the server asked for that the archive did not have, in order. */
    public Set<String> missingSegments() {
        synchronized (missing) {
            return new LinkedHashSet<>(missing);
        }
    }

    /** The first file that was archived but could not be read back, with the cause. */
    public Optional<String> firstFailure() {
        synchronized (failures) {
            return failures.entrySet().stream().findFirst()
                    .map(failure -> "WAL file " + failure.getKey() + " could not be read back: " + failure.getValue());
        }
    }

    private void serve(WalArchive archive, String fromStore, HttpExchange exchange) throws IOException {
        String file = exchange.getRequestURI().getPath().replaceFirst("^/wal/[^/]+/", "");
        try (exchange) {
            Path decoded = scratch.resolve("segment");
            try {
                if (!archive.isArchived(job, file, fromStore)) {
                    if (!file.endsWith(".history")) {
                        missing.add(file);
                    }
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                archive.fetch(job, file, fromStore, decoded);
            } catch (IOException | RuntimeException e) {
                String cause = BackupRunner.describe(e);
                failures.putIfAbsent(file, cause);
                LOG.error("WAL file {} of job {} could not be read back for the recovering server: {}", file, job, cause);
                byte[] body = ("mking-backup: WAL file " + file + " could not be read back: " + cause + "\n")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(500, body.length);
                exchange.getResponseBody().write(body);
                return;
            }
            exchange.sendResponseHeaders(200, Files.size(decoded));
            try (InputStream in = Files.newInputStream(decoded); OutputStream out = exchange.getResponseBody()) {
                in.transferTo(out);
            } finally {
                Files.deleteIfExists(decoded);
            }
            LOG.debug("served WAL {}", file);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        try {
            Files.deleteIfExists(scratch.resolve("segment"));
            Files.deleteIfExists(scratch);
        } catch (IOException e) {
            LOG.debug("could not remove {}: {}", scratch, e.getMessage());
        }
    }
}
