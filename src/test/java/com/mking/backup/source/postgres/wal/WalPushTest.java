package com.mking.backup.source.postgres.wal;

import com.mking.backup.support.CliProcess;
import com.mking.backup.support.CliResult;
import com.mking.backup.support.TestCluster;
import com.mking.backup.support.TestInstallation;
import com.mking.backup.support.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The WAL endpoint never acknowledges what it does not hold, as a primary, a standby and an attacker use
 * it: the daemon runs in its own process with a 256 MB heap in the production profile; real segments come
 * from a throwaway cluster (copied aside by its own archive_command) and are pushed by hand.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WalPushTest {

    private static final String JOB = "pg-push";
    private static final String TOKEN = "wal-token-5f1c";
    private static final int SEGMENT = 16 * 1024 * 1024;

    private TestS3 s3;
    private TestInstallation installation;
    private TestCluster cluster;
    private CliProcess daemon;
    private Path spool;
    private int httpPort;
    /** HTTP/1.1, as curl in archive_command speaks it. */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void start() throws Exception {
        s3 = new TestS3();
        httpPort = TestCluster.freePort();
        int pgPort = TestCluster.freePort();
        installation = new TestInstallation().production(s3, "push").set("camel.management.port", Integer.toString(httpPort))
                .set("mking.wal.token", TOKEN);
        installation.withPgPhysicalJob(JOB, pgPort, "local,minio", "7");
        spool = Files.createTempDirectory("wal-spool");
        TestCluster.run("chown", "postgres:", spool.toString());
        cluster = TestCluster.start(pgPort, Map.of("archive_mode", "on", "archive_command", "cp %p " + spool + "/%f"));
        daemon = CliProcess.start(installation, List.of("-Xmx256m"), "start")
                .awaitOutput(out -> out.contains("daemon started"), Duration.ofSeconds(90));
    }

    @AfterAll
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        TestCluster.run("rm", "-rf", spool.toString());
        installation.close();
        s3.close();
    }

    /**
     * 24 racing pairs of pushes of one name: identical content (a retry, or primary and standby both
     * archiving) and different content (two clusters). Every name answered 200 holds exactly what was
     * acknowledged, in both stores; different content is refused to one of the two; no push deletes what
     * another published.
     */
    @Test
    void racingPushesOfOneNameNeverLoseWhatWasAcknowledged() throws Exception {
        List<Path> segments = newSegments(24);
        List<Path> firsts = new ArrayList<>();
        List<Path> seconds = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            firsts.add(segments.get(i));
            Path other = Files.createTempFile(spool, "other-", "");
            Files.copy(segments.get(i), other, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            if (i % 2 == 1) {
                try (var file = new java.io.RandomAccessFile(other.toFile(), "rw")) {
                    file.seek(SEGMENT / 2);
                    int b = file.read();
                    file.seek(SEGMENT / 2);
                    file.write(b ^ 0x01); // still a valid segment by its header: another cluster's content
                }
            }
            seconds.add(other);
        }
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            String name = segments.get(i).getFileName().toString();
            results.add(pushRetryingBusy(name, firsts.get(i)));
            results.add(pushRetryingBusy(name, seconds.get(i)));
        }
        for (int i = 0; i < segments.size(); i++) {
            String name = segments.get(i).getFileName().toString();
            int first = results.get(2 * i).get();
            int second = results.get(2 * i + 1).get();
            if (i % 2 == 0) {
                assertThat(List.of(first, second)).as("identical pair " + name).containsExactly(200, 200);
            } else {
                assertThat(List.of(first, second)).as("different pair " + name).containsExactlyInAnyOrder(200, 409);
            }
            Path acknowledged = first == 200 ? firsts.get(i) : seconds.get(i);
            for (String store : List.of("local", "minio")) {
                Path fetched = Files.createTempFile("fetched", "");
                CliResult fetch = installation.cli("wal-fetch", JOB, name, fetched.toString(), "--from", store);
                assertThat(fetch.exitCode()).as(name + " in " + store + ": " + fetch.all()).isEqualTo(0);
                assertThat(Files.mismatch(fetched, acknowledged)).as(name + " in " + store).isEqualTo(-1);
                Files.delete(fetched);
            }
            // exactly one data object per name and store: the losers' data is gone, the winner's is there
            assertThat(s3.keys("push").stream().filter(k -> k.startsWith(WalArchive.prefix(JOB) + name + ".")
                    && !k.endsWith(".json"))).hasSize(1);
            try (var local = Files.list(installation.localStore().resolve(WalArchive.prefix(JOB)))) {
                assertThat(local.map(p -> p.getFileName().toString())
                        .filter(f -> f.startsWith(name + ".") && !f.endsWith(".json"))).hasSize(1);
            }
        }
    }

    @Test
    void garbageUnderASegmentNameIsRefusedAndTheRealSegmentThenArchives() throws Exception {
        Path segment = newSegments(1).get(0);
        String name = segment.getFileName().toString();
        byte[] random = new byte[SEGMENT];
        new Random(1).nextBytes(random);
        HttpResponse<String> garbage = put(name, HttpRequest.BodyPublishers.ofByteArray(random), TOKEN);
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(garbage.body()).contains("is not a WAL segment");
        byte[] truncated = Arrays.copyOf(Files.readAllBytes(segment), SEGMENT / 2);
        assertThat(put(name, HttpRequest.BodyPublishers.ofByteArray(truncated), TOKEN).statusCode()).isEqualTo(400);
        HttpResponse<String> wrongName = put("0000000100000000000000A0", HttpRequest.BodyPublishers.ofFile(segment), TOKEN);
        assertThat(wrongName.statusCode()).isEqualTo(400);
        assertThat(wrongName.body()).contains("does not belong under this name");

        assertThat(put(name, HttpRequest.BodyPublishers.ofFile(segment), TOKEN).statusCode()).isEqualTo(200);
        Path fetched = Files.createTempFile("fetched", "");
        assertThat(installation.cli("wal-fetch", JOB, name, fetched.toString()).exitCode()).isEqualTo(0);
        assertThat(Files.mismatch(fetched, segment)).isEqualTo(-1);
    }

    @Test
    void requestsAreCheckedBeforeTheirBodyIsRead() throws Exception {
        String name = "0000000100000000000000F0";
        assertThat(put(name, HttpRequest.BodyPublishers.ofString("x"), "wrong").statusCode()).isEqualTo(403);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base() + "/wal/nope/" + name)).header(WalPushEndpoint.TOKEN_HEADER, TOKEN)
                .PUT(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        assertThat(put("not-a-wal-file", HttpRequest.BodyPublishers.ofString("x"), TOKEN).statusCode()).isEqualTo(400);

        // a declared 1 GiB body: refused from its headers, only the first bytes ever cross
        Huge declared = new Huge(1L << 30, true);
        Instant start = Instant.now();
        assertThat(refused(put(name, declared, TOKEN))).isTrue();
        assertThat(declared.sent.get()).as("bytes the client got to send").isLessThan(64L << 20);
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(20));

        // the same without a length, from a wrong token: nothing of it is read
        Huge unauthorised = new Huge(1L << 30, false);
        assertThat(refused(put(name, unauthorised, "wrong"))).isTrue();
        assertThat(unauthorised.sent.get()).isLessThan(64L << 20);
    }

    /**
     * Three concurrent 1.2 GiB bodies with no declared length, shaped like a segment at first: each is
     * cut off at the segment size; meanwhile health answers and a real segment archives; the 256 MB daemon
     * survives all of it.
     */
    @Test
    void oversizedUploadsAreCutOffWhileHealthAndRealArchivingGoOn() throws Exception {
        Path segment = newSegments(1).get(0);
        byte[] head = Files.readAllBytes(segment);
        List<CompletableFuture<Boolean>> attacks = new ArrayList<>();
        List<Huge> bodies = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Huge body = new Huge(1_200L << 20, false, head);
            bodies.add(body);
            String name = segment.getFileName().toString();
            attacks.add(http.sendAsync(request(name, body, TOKEN), HttpResponse.BodyHandlers.ofString())
                    .handle((response, error) -> error != null || response.statusCode() >= 400));
        }
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base() + "/observe/health"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isIn(200, 503);
        for (CompletableFuture<Boolean> attack : attacks) {
            assertThat(attack.get()).isTrue();
        }
        for (Huge body : bodies) {
            assertThat(body.sent.get()).as("cut off near the segment size, not read to its 1.2 GiB").isLessThan(256L << 20);
        }
        assertThat(daemon.isAlive()).as(daemon.output()).isTrue();
        Path next = newSegments(1).get(0);
        assertThat(put(next.getFileName().toString(), HttpRequest.BodyPublishers.ofFile(next), TOKEN).statusCode()).isEqualTo(200);
        assertThat(daemon.output()).doesNotContain("OutOfMemoryError");
    }

    private CompletableFuture<Integer> pushRetryingBusy(String name, Path body) {
        HttpRequest.BodyPublisher publisher;
        try {
            publisher = HttpRequest.BodyPublishers.ofFile(body);
        } catch (java.io.FileNotFoundException e) {
            return CompletableFuture.failedFuture(e);
        }
        return http.sendAsync(request(name, publisher, TOKEN), HttpResponse.BodyHandlers.ofString())
                .thenCompose(response -> response.statusCode() == 503 ? pushRetryingBusy(name, body)
                        : CompletableFuture.completedFuture(response.statusCode()));
    }

    private static boolean refused(HttpResponse<String> response) {
        return response == null || response.statusCode() == 413 || response.statusCode() == 403 || response.statusCode() == 400;
    }

    private HttpResponse<String> put(String name, HttpRequest.BodyPublisher body, String token) throws InterruptedException {
        try {
            return http.send(request(name, body, token), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null; // the daemon closed the connection on an upload it refused
        }
    }

    private HttpRequest request(String name, HttpRequest.BodyPublisher body, String token) {
        return HttpRequest.newBuilder(URI.create(base() + "/wal/" + JOB + "/" + name)).header(WalPushEndpoint.TOKEN_HEADER, token)
                .timeout(Duration.ofMinutes(2)).PUT(body).build();
    }

    private String base() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** Completed segments of the cluster, new ones, copied aside by its archive_command. */
    private List<Path> newSegments(int count) throws Exception {
        List<Path> made = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            cluster.execute("CREATE TABLE IF NOT EXISTS t (id serial, v text); INSERT INTO t (v) VALUES ('" + i + "')");
            String name = cluster.queryOne("SELECT pg_walfile_name(pg_current_wal_lsn())");
            cluster.execute("SELECT pg_switch_wal()");
            Path file = spool.resolve(name);
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(file) && Files.size(file) == SEGMENT);
            made.add(file);
        }
        return made;
    }

    /** A body of any size, made as it is sent; counts what the client managed to send. */
    private static final class Huge implements HttpRequest.BodyPublisher {
        private final long size;
        private final boolean declared;
        private final byte[] head;
        final AtomicLong sent = new AtomicLong();

        Huge(long size, boolean declared) {
            this(size, declared, new byte[0]);
        }

        Huge(long size, boolean declared, byte[] head) {
            this.size = size;
            this.declared = declared;
            this.head = head;
        }

        @Override
        public long contentLength() {
            return declared ? size : -1;
        }

        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
            subscriber.onSubscribe(new Flow.Subscription() {
                private volatile boolean cancelled;

                @Override
                public void request(long n) {
                    for (long i = 0; i < n && !cancelled; i++) {
                        long at = sent.get();
                        if (at >= size) {
                            subscriber.onComplete();
                            return;
                        }
                        int chunk = (int) Math.min(64 * 1024, size - at);
                        byte[] bytes = new byte[chunk];
                        if (at < head.length) {
                            System.arraycopy(head, (int) at, bytes, 0, (int) Math.min(chunk, head.length - at));
                        }
                        sent.addAndGet(chunk);
                        subscriber.onNext(ByteBuffer.wrap(bytes));
                    }
                }

                @Override
                public void cancel() {
                    cancelled = true;
                }
            });
        }
    }
}
