package com.mking.backup.source.postgres.wal;

import com.mking.backup.job.BackupRunner;
import io.vertx.core.http.HttpServerRequest;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP side of WAL archiving: {@code PUT /wal/<job>/<file>} with the file as the body. PostgreSQL's
 * {@code archive_command} is a curl call, so archiving costs no JVM start per segment. 200 means the
 * file is durably in every store of the job (or already was, with the same content); anything else
 * makes curl, and so archive_command, fail, and PostgreSQL keeps the segment and retries.
 *
 * <p>Everything that can be decided from the request line and headers is decided before the body is
 * read: token (403), job (404), file name (400), declared size (413), capacity (503). The body is then
 * streamed (never buffered) through the checks of {@link WalInspection} into the stores.
 */
public final class WalPushEndpoint {

    public static final String TOKEN_HEADER = "X-Mking-Token";
    private static final String REQUEST = "mkingWalRequest";
    private static final Logger LOG = LoggerFactory.getLogger(WalPushEndpoint.class);

    private final WalArchive archive;
    private final String token;
    private final Semaphore slots;
    private final long idleTimeoutSeconds;

    /**
     * @param token           shared secret required in {@value #TOKEN_HEADER}; empty: none (loopback-only use)
     * @param concurrentPushes pushes handled at once; more wait up to 10 s, then get 503
     */
    public WalPushEndpoint(WalArchive archive, String token, int concurrentPushes, long idleTimeoutSeconds) {
        this.archive = archive;
        this.token = token == null ? "" : token;
        this.slots = new Semaphore(concurrentPushes);
        this.idleTimeoutSeconds = idleTimeoutSeconds;
    }

    public void handle(Exchange exchange) {
        exchange.setProperty(REQUEST, exchange.getMessage().getBody(HttpServerRequest.class));
        String job = exchange.getMessage().getHeader("job", String.class);
        String file = exchange.getMessage().getHeader("file", String.class);
        if (!token.isEmpty() && !constantTimeEquals(token, exchange.getMessage().getHeader(TOKEN_HEADER, "", String.class))) {
            LOG.warn("refused WAL {} of job {}: missing or wrong {} header (is MKING_WAL_TOKEN in archive_command?)", file, job,
                    TOKEN_HEADER);
            reject(exchange, 403, "missing or wrong " + TOKEN_HEADER);
            return;
        }
        long limit;
        try {
            limit = archive.acceptableSize(job, file);
        } catch (WalArchive.UnknownJobException e) {
            reject(exchange, 404, e.getMessage());
            return;
        } catch (IllegalArgumentException e) {
            reject(exchange, 400, e.getMessage());
            return;
        }
        long declared = exchange.getMessage().getHeader(Exchange.CONTENT_LENGTH, -1L, Long.class);
        if (declared > limit) {
            reject(exchange, 413, file + ": " + declared + " bytes is more than a file of its kind may hold (" + limit + ")");
            return;
        }
        if (!acquire()) {
            reject(exchange, 503, "busy: " + slots.availablePermits() + " free of the concurrent WAL push slots; retry");
            return;
        }
        InputStream body = new RequestBodyStream(exchange.getMessage().getBody(HttpServerRequest.class), idleTimeoutSeconds);
        try (body) {
            WalArchive.PushResult result = archive.push(job, file, body, declared);
            reply(exchange, 200, result == WalArchive.PushResult.ALREADY_ARCHIVED ? "already archived" : "archived");
            LOG.debug("{} WAL {} of job {}", result, file, job);
        } catch (WalArchive.ConflictException | WalInspection.ForeignClusterException e) {
            LOG.error("refused WAL {} of job {}: {}", file, job, e.getMessage());
            refuse(exchange, body, limit, 409, e.getMessage());
        } catch (WalArchive.TooLargeException e) {
            reject(exchange, 413, e.getMessage());
        } catch (WalInspection.InvalidWalException e) {
            LOG.error("refused WAL {} of job {}: {}", file, job, e.getMessage());
            refuse(exchange, body, limit, 400, e.getMessage());
        } catch (Exception e) {
            String message = BackupRunner.describe(e);
            LOG.error("archiving WAL {} of job {} failed: {}", file, job, message);
            reject(exchange, 503, message);
        } finally {
            slots.release();
        }
    }

    /**
     * Refuses a body that was read in part. What is left of it, up to the largest file of its kind, is read
     * and dropped, so the client (curl in archive_command) gets the reply rather than a broken connection
     * and PostgreSQL logs why; a body beyond that size is cut off instead.
     */
    private static void refuse(Exchange exchange, InputStream body, long limit, int code, String text) {
        try {
            byte[] buffer = new byte[64 * 1024];
            long left = limit;
            for (int n; left > 0 && (n = body.read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0; ) {
                left -= n;
            }
            if (left > 0 || body.read() < 0) {
                reply(exchange, code, text);
                return;
            }
        } catch (java.io.IOException e) {
            LOG.debug("the refused upload broke off: {}", e.getMessage());
        }
        reject(exchange, code, text);
    }

    private boolean acquire() {
        try {
            return slots.tryAcquire(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void reply(Exchange exchange, int code, String text) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, code);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain");
        exchange.getMessage().setBody(text + "\n");
    }

    /**
     * An error reply. The connection is closed as soon as the reply is out, so whatever is left of the body
     * is never read: the client sees the reply (or a broken pipe) and fails; PostgreSQL retries later.
     */
    private static void reject(Exchange exchange, int code, String text) {
        HttpServerRequest request = exchange.getProperty(REQUEST, HttpServerRequest.class);
        reply(exchange, code, text);
        exchange.getMessage().setHeader("Connection", "close");
        if (request != null) {
            request.response().endHandler(done -> request.connection().close());
        }
    }

    private static boolean constantTimeEquals(String expected, String given) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }
}
