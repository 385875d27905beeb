package com.mking.backup.store;

import com.mking.backup.support.TestS3;
import io.minio.MinioClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MinioStoreTest extends StoreContractTest {

    private static TestS3 s3;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = new TestS3();
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    private String bucket;

    @Override
    protected Store createStore() {
        MinioClient client = s3.client();
        io.minio.MinioAsyncClient async = s3.asyncClient();
        camel.getRegistry().bind(MinioStores.clientBeanName("minio"), client);
        bucket = "contract-" + UUID.randomUUID().toString().substring(0, 8);
        return new MinioStore("minio", () -> client, () -> async, bucket, s3.endpoint(), camel.createProducerTemplate());
    }

    /** A multipart upload that broke off is aborted at once: its parts would otherwise be stored (and paid) forever. */
    @Test
    void aFailedUploadLeavesNoUnfinishedMultipartUpload() throws Exception {
        Store store = createStore();
        java.io.InputStream failing = new java.io.InputStream() {
            private long sent;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (sent > 20L * 1024 * 1024) {
                    throw new IOException("source died");
                }
                sent += length;
                return length;
            }
        };
        assertThatThrownBy(() -> store.put("job/2026/01/01/id/data", failing)).isInstanceOf(IOException.class);
        org.assertj.core.api.Assertions.assertThat(s3.unfinishedUploads(bucket, "job/")).isEmpty();
        // every part buffer goes back to the store (parts still being sent give theirs back as they stop)
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (((MinioStore) store).buffersInUse() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(((MinioStore) store).buffersInUse()).isZero();
    }

    /**
     * Jobs uploading to one store at once share its part buffers: four 40 MiB objects and eight small ones at the same time
     * hold no more than the store's parallel parts in memory, and every object arrives whole.
     */
    @Test
    void concurrentUploadsShareTheStoresBufferBound() throws Exception {
        MinioStore store = storeWithParts("shared-", 2);
        java.util.concurrent.ExecutorService jobs = java.util.concurrent.Executors.newFixedThreadPool(12);
        try {
            java.util.Map<String, byte[]> objects = new java.util.LinkedHashMap<>();
            java.util.Random random = new java.util.Random(11);
            for (int i = 0; i < 12; i++) {
                byte[] data = new byte[i < 4 ? (40 << 20) + i : 1000 + i];
                random.nextBytes(data);
                objects.put("job/2026/01/01/id" + i + "/data", data);
            }
            java.util.List<java.util.concurrent.Future<Long>> puts = new java.util.ArrayList<>();
            objects.forEach((key, data) -> puts.add(jobs.submit(() -> store.put(key, new ByteArrayInputStream(data)))));
            for (java.util.concurrent.Future<Long> put : puts) {
                put.get(2, java.util.concurrent.TimeUnit.MINUTES);
            }
            // compared by SHA-256 as they stream back: a fork of the suite must not hold every object twice
            for (var object : objects.entrySet()) {
                assertThat(com.mking.backup.pipeline.Sha256.of(store.get(object.getKey()))).as(object.getKey())
                        .isEqualTo(com.mking.backup.pipeline.Sha256.of(new ByteArrayInputStream(object.getValue())));
            }
            assertThat(store.buffersMade()).isLessThanOrEqualTo(2);
            assertThat(store.buffersInUse()).isZero();
        } finally {
            jobs.shutdownNow();
        }
    }

    /**
     * An upload whose writer has not sent its first byte yet holds no buffer: with one buffer, another object is stored
     * meanwhile (a files snapshot's index waits for its packs; it used to hold the buffer they needed and the run hung).
     */
    @Test
    void anUploadWaitingForItsFirstByteHoldsNoBuffer() throws Exception {
        MinioStore store = storeWithParts("first-byte-", 1);
        java.io.PipedOutputStream writer = new java.io.PipedOutputStream();
        java.io.PipedInputStream waiting = new java.io.PipedInputStream(writer, 1 << 16);
        java.util.concurrent.ExecutorService uploads = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<Long> index = uploads.submit(() -> store.put("job/2026/01/01/id/files.idx", waiting));
            Thread.sleep(300); // the index's upload is waiting for data
            byte[] pack = new byte[3 << 20];
            new java.util.Random(5).nextBytes(pack);
            java.util.concurrent.Future<Long> packPut = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return store.put("job/packs/p1", new ByteArrayInputStream(pack));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(packPut.get(30, java.util.concurrent.TimeUnit.SECONDS)).as("stored while the index waits").isEqualTo(pack.length);
            writer.write("the index, at last".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            writer.close();
            assertThat(index.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(18L);
            assertThat(new String(store.get("job/2026/01/01/id/files.idx").readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo("the index, at last");
            assertThat(store.buffersInUse()).isZero();
        } finally {
            uploads.shutdownNow();
        }
    }

    /** A store on a new bucket named {@code prefix} and a random suffix, sending {@code parallelParts} parts at once. */
    private MinioStore storeWithParts(String prefix, int parallelParts) {
        return storeWithParts(prefix + UUID.randomUUID().toString().substring(0, 8), MinioStore.Parts.ofMiB(16, parallelParts));
    }

    private MinioStore storeWithParts(String bucket, MinioStore.Parts parts) {
        MinioClient client = s3.client();
        io.minio.MinioAsyncClient async = s3.asyncClient();
        return new MinioStore("minio", () -> client, () -> async, bucket, s3.endpoint(), camel.createProducerTemplate(), parts,
                3, java.time.Duration.ofMillis(100), null);
    }

    /**
     * An object that outgrows S3's parts fails with the setting that makes room, and leaves nothing: no object, no
     * unfinished upload, no buffer held (here 3 parts of 5 MiB stand for S3's 10,000 of 16 MiB).
     */
    @Test
    void anObjectBeyondTheLastPartFailsNamingThePartSize() throws Exception {
        String bucket = "parts-" + UUID.randomUUID().toString().substring(0, 8);
        MinioStore store = storeWithParts(bucket, new MinioStore.Parts(5 << 20, 2, 3));
        assertThat(store.put("job/2026/01/01/fits/data", new RandomStream(15L << 20, 3))).isEqualTo(15L << 20);

        assertThatThrownBy(() -> store.put("job/2026/01/01/big/data", new RandomStream((15L << 20) + 1, 4)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("job/2026/01/01/big/data")
                .hasMessageContaining("outgrew S3's 3 parts of 5 MiB (15.0 MiB)")
                .hasMessageContaining("raise mking.store.minio.part-size-mib (e.g. 32");
        assertThat(s3.keys(bucket)).containsExactly("job/2026/01/01/fits/data");
        assertThat(s3.unfinishedUploads(bucket, "")).isEmpty();
        assertThat(store.buffersInUse()).isZero();
    }

    /** A run and the daemon's first WAL push may both find a new bucket missing: both must go on, neither fails. */
    @Test
    void processesCreatingTheSameBucketAtOnceAllSucceed() throws Exception {
        MinioClient client = s3.client();
        io.minio.MinioAsyncClient async = s3.asyncClient();
        for (int round = 0; round < 10; round++) {
            String shared = "race-" + UUID.randomUUID().toString().substring(0, 8);
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(6);
            java.util.concurrent.ExecutorService racers = java.util.concurrent.Executors.newFixedThreadPool(6);
            try {
                java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    MinioStore store = new MinioStore("minio", () -> client, () -> async, shared, s3.endpoint(),
                            camel.createProducerTemplate());
                    done.add(racers.submit(() -> {
                        start.await();
                        store.ensureBucket();
                        return null;
                    }));
                }
                for (java.util.concurrent.Future<?> racer : done) {
                    racer.get(); // an ExecutionException here fails the test with the store's message
                }
            } finally {
                racers.shutdownNow();
            }
        }
    }

    /**
     * S3 answering 503 SlowDown to 30 % of requests: half of them never reach the server, half are carried out and
     * their answer lost (a completed upload the client does not hear of). A 40 MiB object is stored whole, each failed
     * part sent again on its own, and reads, lists and deletes go through.
     */
    @Test
    void thirtyPercentOfRequestsFailingWith503AreRetriedPartByPart() throws Exception {
        java.util.Random dice = new java.util.Random(42);
        java.util.concurrent.atomic.AtomicInteger faults = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicLong partBytesSent = new java.util.concurrent.atomic.AtomicLong();
        okhttp3.OkHttpClient faulty = new okhttp3.OkHttpClient.Builder().addInterceptor(chain -> {
            okhttp3.Request request = chain.request();
            boolean partUpload = request.url().queryParameter("partNumber") != null;
            double roll;
            synchronized (dice) {
                roll = dice.nextDouble();
            }
            if (roll < 0.15) {
                faults.incrementAndGet();
                return slowDown(request);
            }
            okhttp3.Response response = chain.proceed(request);
            if (partUpload && request.body() != null) {
                partBytesSent.addAndGet(request.body().contentLength());
            }
            if (roll < 0.30) { // carried out, but the answer is lost
                faults.incrementAndGet();
                response.close();
                return slowDown(request);
            }
            return response;
        }).build();
        String flakyBucket = "flaky-" + UUID.randomUUID().toString().substring(0, 8);
        Store store = storeThrough(faulty, "flaky", flakyBucket, 4, 12, java.time.Duration.ofMillis(20));

        long size = 40L * 1024 * 1024 + 5;
        org.assertj.core.api.Assertions.assertThat(store.put("job/2026/11/28/id/data", new RandomStream(size, 3)))
                .isEqualTo(size);
        org.assertj.core.api.Assertions.assertThat(com.mking.backup.pipeline.Sha256.of(s3.client().getObject(
                io.minio.GetObjectArgs.builder().bucket(flakyBucket).object("job/2026/11/28/id/data").build())))
                .as("read with a client of its own").isEqualTo(com.mking.backup.pipeline.Sha256.of(new RandomStream(size, 3)));
        org.assertj.core.api.Assertions.assertThat(partBytesSent.get()).as("parts sent again, not the object")
                .isLessThan(2 * size);
        store.put("job/2026/11/28/id/manifest.json", new ByteArrayInputStream("{}".getBytes()));
        for (int i = 0; i < 5; i++) {
            org.assertj.core.api.Assertions.assertThat(store.list("job/")).hasSize(2);
            org.assertj.core.api.Assertions.assertThat(store.size("job/2026/11/28/id/data")).contains(size);
            try (java.io.InputStream in = store.get("job/2026/11/28/id/manifest.json")) {
                org.assertj.core.api.Assertions.assertThat(in.readAllBytes()).isEqualTo("{}".getBytes());
            }
        }
        store.delete("job/2026/11/28/id/manifest.json");
        org.assertj.core.api.Assertions.assertThat(s3.keys(flakyBucket)).containsExactly("job/2026/11/28/id/data");
        org.assertj.core.api.Assertions.assertThat(faults.get()).as("faults injected").isGreaterThan(5);
    }

    /**
     * S3 stops in the middle of a 48 MiB upload and is back two seconds later, within the retry window: the upload
     * goes on from the parts S3 already acknowledged and completes; nothing unfinished is left.
     */
    @Test
    void anUploadGoesOnWhenS3ComesBackWithinTheRetryWindow() throws Exception {
        java.util.concurrent.atomic.AtomicLong partBytesSent = new java.util.concurrent.atomic.AtomicLong();
        okhttp3.OkHttpClient counting = new okhttp3.OkHttpClient.Builder().addInterceptor(chain -> {
            okhttp3.Request request = chain.request();
            okhttp3.Response response = chain.proceed(request); // a refused connection sent nothing
            if (request.url().queryParameter("partNumber") != null && request.body() != null) {
                partBytesSent.addAndGet(request.body().contentLength());
            }
            return response;
        }).build();
        String outageBucket = "outage-" + UUID.randomUUID().toString().substring(0, 8);
        Store store = storeThrough(counting, "outage", outageBucket, 2, 6, java.time.Duration.ofMillis(500));
        long size = 48L * 1024 * 1024;
        Thread restart = new Thread(() -> {
            try {
                Thread.sleep(2000);
                s3.restart();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        java.io.InputStream stopsS3 = new RandomStream(size, 9) {
            private boolean stopped;

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (!stopped && position() > (20L << 20)) {
                    stopped = true;
                    try {
                        s3.stop();
                    } catch (Exception e) {
                        throw new IOException(e);
                    }
                    restart.start();
                }
                return super.read(buffer, offset, length);
            }
        };
        org.assertj.core.api.Assertions.assertThat(store.put("job/2026/11/28/id/data", stopsS3)).isEqualTo(size);
        restart.join();
        org.assertj.core.api.Assertions.assertThat(com.mking.backup.pipeline.Sha256.of(s3.client().getObject(
                io.minio.GetObjectArgs.builder().bucket(outageBucket).object("job/2026/11/28/id/data").build())))
                .isEqualTo(com.mking.backup.pipeline.Sha256.of(new RandomStream(size, 9)));
        org.assertj.core.api.Assertions.assertThat(partBytesSent.get()).as("fewer bytes sent than twice the object")
                .isLessThan(size + 2L * MinioStore.Parts.DEFAULT.size() + 1);
        org.assertj.core.api.Assertions.assertThat(s3.unfinishedUploads(outageBucket, "")).isEmpty();
    }

    /**
     * Copies their writer reads back ({@link Store#putReadBack}) go with an unsigned payload and no MD5 from 1 MiB (the
     * parts of a large object, a large single PUT); a manifest-sized body keeps both, and so does every plain put.
     * S3Proxy (which has no object lock) takes them all, and the objects read back whole.
     */
    @Test
    void largeBodiesGoUnhashedOnlyWhenTheirWriterReadsThemBack() throws Exception {
        java.util.List<String> puts = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        okhttp3.OkHttpClient recording = new okhttp3.OkHttpClient.Builder().addNetworkInterceptor(chain -> {
            okhttp3.Request request = chain.request();
            if ("PUT".equals(request.method()) && request.body() != null && request.body().contentLength() > 0) {
                assertThat(request.header("X-Mking-Unhashed")).as("the marker is never sent").isNull();
                puts.add((request.body().contentLength() >= 1 << 20 ? "large" : "small") + " md5="
                        + (request.header("Content-MD5") != null) + " " + request.header("x-amz-content-sha256").length());
            }
            return chain.proceed(request);
        }).build();
        String bucket = "unhashed-" + UUID.randomUUID().toString().substring(0, 8);
        Store store = storeThrough(recording, "unhashed", bucket, 2, 1, java.time.Duration.ofMillis(10));
        String unsigned = "UNSIGNED-PAYLOAD".length() + "";
        String signed = "64";
        long multipart = (16L << 20) + (4L << 20);
        for (boolean readBack : new boolean[] {true, false}) {
            puts.clear();
            String prefix = "job/2026/11/29/" + readBack + "/";
            if (readBack) {
                assertThat(store.putReadBack(prefix + "data", new RandomStream(multipart, 5))).isEqualTo(multipart);
                assertThat(store.putReadBack(prefix + "pack", new RandomStream(2L << 20, 6))).isEqualTo(2L << 20);
                assertThat(store.putReadBack(prefix + "manifest.json", new RandomStream(10_000, 7))).isEqualTo(10_000);
            } else {
                assertThat(store.put(prefix + "data", new RandomStream(multipart, 5))).isEqualTo(multipart);
                assertThat(store.put(prefix + "pack", new RandomStream(2L << 20, 6))).isEqualTo(2L << 20);
                assertThat(store.put(prefix + "manifest.json", new RandomStream(10_000, 7))).isEqualTo(10_000);
            }
            assertThat(puts).as("read back: " + readBack).containsExactlyInAnyOrder(readBack
                    ? new String[] {"large md5=false " + unsigned, "large md5=false " + unsigned, "large md5=false " + unsigned,
                            "small md5=true " + signed}
                    : new String[] {"large md5=true " + signed, "large md5=true " + signed, "large md5=true " + signed,
                            "small md5=true " + signed});
            for (String[] object : new String[][] {{"data", "5", multipart + ""}, {"pack", "6", (2L << 20) + ""},
                    {"manifest.json", "7", "10000"}}) {
                try (java.io.InputStream stored = s3.client().getObject(io.minio.GetObjectArgs.builder().bucket(bucket)
                        .object(prefix + object[0]).build())) {
                    assertThat(com.mking.backup.pipeline.Sha256.of(stored)).isEqualTo(com.mking.backup.pipeline.Sha256.of(
                            new RandomStream(Long.parseLong(object[2]), Integer.parseInt(object[1]))));
                }
            }
        }
    }

    /**
     * A bucket with object lock on wants a checksum with every upload, even from a store that sets no lock: only a
     * server's own word that the bucket has none lets uploads go without one.
     */
    @Test
    void onlyAServerSayingTheBucketHasNoLockLetsUploadsGoWithoutChecksum() {
        assertThat(MinioStore.lockAbsent("ObjectLockConfigurationNotFoundError")).isTrue();
        assertThat(MinioStore.lockAbsent("NotImplemented")).as("S3Proxy: no object lock at all").isTrue();
        assertThat(MinioStore.lockAbsent("AccessDenied")).as("not allowed to ask: taken as locked").isFalse();
    }

    /**
     * A store whose clients (the sync one camel-minio uses, and the async one) go through {@code http}, with the retries
     * every configured store has ({@link RetryingStore}).
     */
    private Store storeThrough(okhttp3.OkHttpClient http, String name, String bucket, int parallelParts, int attempts,
                                    java.time.Duration firstWait) {
        MinioClient client = MinioClient.builder().endpoint(s3.endpoint()).credentials(TestS3.ACCESS_KEY, TestS3.SECRET_KEY)
                .httpClient(http).build();
        io.minio.MinioAsyncClient async = io.minio.MinioAsyncClient.builder().endpoint(s3.endpoint())
                .credentials(TestS3.ACCESS_KEY, TestS3.SECRET_KEY).httpClient(http).build();
        camel.getRegistry().bind(MinioStores.clientBeanName(name), client);
        return new RetryingStore(new MinioStore(name, () -> client, () -> async, bucket, s3.endpoint(),
                camel.createProducerTemplate(), MinioStore.Parts.ofMiB(16, parallelParts), attempts, firstWait, null), attempts,
                firstWait);
    }

    private static okhttp3.Response slowDown(okhttp3.Request request) {
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code><Message>Please reduce your "
                + "request rate.</Message><Resource>" + request.url().encodedPath() + "</Resource><RequestId>fault</RequestId>"
                + "</Error>";
        return new okhttp3.Response.Builder().request(request).protocol(okhttp3.Protocol.HTTP_1_1).code(503)
                .message("Service Unavailable").header("Content-Type", "application/xml")
                .body(okhttp3.ResponseBody.create(xml, okhttp3.MediaType.get("application/xml"))).build();
    }

    /** What S3 answered decides, not the IOException the store wraps it in: AccessDenied is never tried again. */
    @Test
    void onlyServerErrorsAndBrokenConnectionsAreTransient() {
        MinioStore store = (MinioStore) createStore();
        assertThat(store.isTransient(new IOException("reading k in store 'minio' failed", answer(403, "AccessDenied")))).isFalse();
        assertThat(store.isTransient(new IOException("reading k", answer(404, "NoSuchKey")))).isFalse();
        assertThat(store.isTransient(new IOException("writing k", answer(503, "SlowDown")))).isTrue();
        assertThat(store.isTransient(new IOException("writing k", new java.net.SocketException("Connection reset")))).isTrue();
        assertThat(store.isTransient(new java.io.FileNotFoundException("k"))).isFalse();
    }

    private static io.minio.errors.ErrorResponseException answer(int status, String code) {
        okhttp3.Request request = new okhttp3.Request.Builder().url("http://127.0.0.1/bucket/k").build();
        okhttp3.Response response = new okhttp3.Response.Builder().request(request).protocol(okhttp3.Protocol.HTTP_1_1)
                .code(status).message(code).build();
        return new io.minio.errors.ErrorResponseException(new io.minio.messages.ErrorResponse(code, code, "bucket", "k",
                "/bucket/k", "id", "host"), response, "");
    }

    @Test
    void aWrongSecretIsNamedInOneLineWithWhatToFix() {
        MinioClient client = MinioClient.builder().endpoint(s3.endpoint()).credentials(TestS3.ACCESS_KEY, "wrong-secret-value")
                .build();
        camel.getRegistry().bind(MinioStores.clientBeanName("offsite"), client);
        io.minio.MinioAsyncClient async = io.minio.MinioAsyncClient.builder().endpoint(s3.endpoint())
                .credentials(TestS3.ACCESS_KEY, "wrong-secret-value").build();
        MinioStore store = new MinioStore("offsite", () -> client, () -> async, "refused", s3.endpoint(),
                camel.createProducerTemplate());
        // the write, and the clean-up after it (through camel-minio, whose endpoint fails to start)
        for (org.assertj.core.api.ThrowableAssert.ThrowingCallable call : List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
                () -> store.put("k", new ByteArrayInputStream(new byte[10])), () -> store.delete("k"))) {
            assertThatThrownBy(call).isInstanceOf(IOException.class)
                    .hasMessageContaining("in store 'offsite'")
                    .hasMessageContaining("check the store's access key and secret key, MKING_STORE_OFFSITE_ACCESS_KEY and "
                            + "MKING_STORE_OFFSITE_SECRET_KEY")
                    .hasMessageNotContaining("\n").hasMessageNotContaining("wrong-secret-value");
        }
    }

    @Test
    void anUnreachableServerFailsWithTheStoreNamedAndNoSecret() {
        MinioClient client = MinioClient.builder().endpoint("http://127.0.0.1:1").credentials("id", "secret-value").build();
        camel.getRegistry().bind(MinioStores.clientBeanName("down"), client);
        io.minio.MinioAsyncClient async = io.minio.MinioAsyncClient.builder().endpoint("http://127.0.0.1:1")
                .credentials("id", "secret-value").build();
        MinioStore store = new MinioStore("down", () -> client, () -> async, "bucket", "http://127.0.0.1:1", camel.createProducerTemplate());
        assertThatThrownBy(() -> store.put("k", new ByteArrayInputStream(new byte[10])))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("store 'down'")
                .hasMessageNotContaining("secret-value");
    }
}
