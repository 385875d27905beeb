package com.mking.backup.restore;

import com.mking.backup.wal.WalArchive;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Serves archived WAL to a server in recovery, for as long as the {@code recover} command runs, on a
 * random loopback port: the restore works with no daemon running (the disaster case). The matching
 * {@code restore_command} tells "not archived" (404, exit 1: PostgreSQL ends recovery there) from a
 * broken fetch (exit 126: PostgreSQL aborts recovery rather than stop early on a corrupt segment).
 */
public final class WalFetchServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WalFetchServer.class);

    private final HttpServer server;
    private final String job;
    private final Set<String> missing = Collections.synchronizedSet(new LinkedHashSet<>());

    public WalFetchServer(WalArchive archive, String job, String fromStore) throws IOException {
        this.job = job;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/wal/", exchange -> serve(archive, fromStore, exchange));
        server.start();
    }

    /** The restore_command for postgresql.conf (PostgreSQL fills in %f and %p). */
    public String restoreCommand() {
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/wal/" + job + "/%f";
        return "code=$(curl -sS -o \"%p\" -w \"%%{http_code}\" " + url + ") || exit 126; "
                + "[ \"$code\" = 200 ] && exit 0; rm -f \"%p\"; [ \"$code\" = 404 ] && exit 1; exit 126";
    }

    /** WAL segments the server asked for that the archive did not have, in order. */
    public Set<String> missingSegments() {
        synchronized (missing) {
            return new LinkedHashSet<>(missing);
        }
    }

    private void serve(WalArchive archive, String fromStore, HttpExchange exchange) throws IOException {
        String file = exchange.getRequestURI().getPath().replaceFirst("^/wal/[^/]+/", "");
        try (exchange) {
            boolean archived;
            try {
                archived = archive.isArchived(job, file, fromStore);
            } catch (IOException | RuntimeException e) {
                LOG.error("looking up WAL {} failed: {}", file, e.getMessage());
                exchange.sendResponseHeaders(500, -1);
                return;
            }
            if (!archived) {
                if (!file.endsWith(".history")) {
                    missing.add(file);
                }
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.sendResponseHeaders(200, 0);
            // a failure from here on breaks the chunked response: curl fails, recovery aborts
            archive.fetch(job, file, fromStore, exchange.getResponseBody());
            LOG.debug("served WAL {}", file);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
