package com.mking.backup.wal;

import com.mking.backup.job.BackupRunner;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;

/**
 * The HTTP side of WAL archiving: {@code PUT /wal/<job>/<file>} with the file as the body. PostgreSQL's
 * {@code archive_command} is a curl call, so archiving costs no JVM start per segment. 200 means the
 * file is durably in every store of the job (or already was, with the same content); anything else
 * makes curl, and so archive_command, fail, and PostgreSQL keeps the segment and retries.
 */
public final class WalPushEndpoint {

    public static final String TOKEN_HEADER = "X-Mking-Token";
    private static final Logger LOG = LoggerFactory.getLogger(WalPushEndpoint.class);

    private final WalArchive archive;
    private final String token;

    /** @param token shared secret required in {@value #TOKEN_HEADER}; empty: none (loopback-only use) */
    public WalPushEndpoint(WalArchive archive, String token) {
        this.archive = archive;
        this.token = token == null ? "" : token;
    }

    public void handle(Exchange exchange) {
        String job = exchange.getMessage().getHeader("job", String.class);
        String file = exchange.getMessage().getHeader("file", String.class);
        if (!token.isEmpty() && !constantTimeEquals(token, exchange.getMessage().getHeader(TOKEN_HEADER, "", String.class))) {
            reply(exchange, 403, "missing or wrong " + TOKEN_HEADER);
            return;
        }
        try (InputStream body = exchange.getMessage().getMandatoryBody(InputStream.class)) {
            boolean already = archive.push(job, file, body);
            reply(exchange, 200, already ? "already archived" : "archived");
            if (!already) {
                LOG.debug("archived WAL {} of job {}", file, job);
            }
        } catch (WalArchive.ConflictException e) {
            LOG.error(e.getMessage());
            reply(exchange, 409, e.getMessage());
        } catch (IllegalArgumentException e) {
            reply(exchange, 400, e.getMessage());
        } catch (Exception e) {
            String message = BackupRunner.describe(e);
            LOG.error("archiving WAL {} of job {} failed: {}", file, job, message);
            reply(exchange, 503, message);
        }
    }

    private static void reply(Exchange exchange, int code, String text) {
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, code);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain");
        exchange.getMessage().setBody(text + "\n");
    }

    private static boolean constantTimeEquals(String expected, String given) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }
}
