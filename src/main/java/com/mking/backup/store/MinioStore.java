package com.mking.backup.store;

import com.mking.backup.report.Bytes;
import java.util.function.Supplier;
import io.minio.BucketExistsArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.minio.MinioConstants;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An S3-compatible bucket (MinIO, AWS S3, ...). Uploads are multipart with parts sent in parallel, each held in memory
 * until acknowledged (at most {@link Parts#memory()} per store, shared by its uploads), so memory
 * stays flat whatever the artefact size and however many jobs upload at once,
 * and a transient failure resends one part, not the object; the object only appears when the upload completes. Upload
 * requests are retried here on transient errors (reset connections, 5xx, SlowDown); the other operations by the
 * {@link RetryingStore} around every store. Reads and deletes go through the camel-minio endpoint.
 */
public final class MinioStore implements Store {

    /** S3 takes at most this many parts per object. */
    static final int MAX_PARTS = 10_000;

    /**
     * How objects are uploaded: in parts of {@code size} bytes (the last one shorter), {@code parallel} at a time, each
     * held in a buffer until acknowledged; an object has at most {@code maxCount} parts, so {@code size} sets the largest
     * object the store takes (16 MiB: 156 GiB) and, with {@code parallel}, the memory it uses.
     */
    public record Parts(int size, int parallel, int maxCount) {
        public static final int DEFAULT_SIZE_MIB = 16;
        /**
         * Two keep a nearby S3 busy (two were faster than four against S3Proxy on two cores) and hold 32 MiB; four held
         * 64 MiB, which pushed a backup's peak RSS over 300 MiB (bench/run, 2026-11-28).
         */
        public static final int DEFAULT_PARALLEL = 2;
        public static final Parts DEFAULT = ofMiB(DEFAULT_SIZE_MIB, DEFAULT_PARALLEL);

        public static Parts ofMiB(int sizeMiB, int parallel) {
            return new Parts(sizeMiB << 20, parallel, MAX_PARTS);
        }

        public long largestObject() {
            return (long) size * maxCount;
        }

        public long memory() {
            return (long) size * parallel;
        }
    }

    private final String name;
    private final Supplier<MinioClient> client;
    private final Supplier<io.minio.MinioAsyncClient> asyncClient;
    private final Supplier<BufferUploads> uploads;
    private final String bucket;
    private final String endpointDescription;
    private final ProducerTemplate producer;
    private volatile boolean bucketChecked;
    /** The bucket has object lock on (or may have): S3 then wants a checksum with every upload. */
    private volatile boolean bucketLocked;

    private final Parts parts;
    private final PartBuffers buffers;
    private final Retry retry;
    private final ObjectLock lock;

    /**
     * Objects written with an S3 object lock in {@code mode} (GOVERNANCE: lifted only by a user allowed to bypass it;
     * COMPLIANCE: by no one, the root account included) for {@code period} from their upload: ransomware holding this
     * machine's credentials cannot delete or overwrite a backup before then. The bucket must have object lock enabled.
     */
    public record ObjectLock(io.minio.messages.RetentionMode mode, java.time.Duration period) {
        java.time.ZonedDateTime untilFromNow() {
            // whole seconds: S3 stores the date with second precision
            return java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plus(period).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        }
    }

    /** The clients are made on first use: a command that never touches the bucket does not pay for them. */
    public MinioStore(String name, Supplier<MinioClient> client, Supplier<io.minio.MinioAsyncClient> asyncClient,
                      String bucket, String endpointDescription, ProducerTemplate producer) {
        this(name, client, asyncClient, bucket, endpointDescription, producer, Parts.DEFAULT, 5,
                java.time.Duration.ofMillis(500), null);
    }

    /**
     * @param parts         the part size, parts sent at once (each holds a buffer until the server acknowledged it) and
     *                      parts per object
     * @param attempts      tries of each request on transient errors (a reset connection, 5xx, a timeout)
     * @param lock          the object lock every object is written with, or null for none
     */
    public MinioStore(String name, Supplier<MinioClient> client, Supplier<io.minio.MinioAsyncClient> asyncClient,
                      String bucket, String endpointDescription, ProducerTemplate producer, Parts parts, int attempts,
                      java.time.Duration firstWait, ObjectLock lock) {
        this.lock = lock;
        this.name = name;
        this.client = client;
        this.asyncClient = asyncClient;
        this.uploads = com.google.common.base.Suppliers.memoize(() -> new BufferUploads(asyncClient.get()));
        this.bucket = bucket;
        this.endpointDescription = endpointDescription;
        this.producer = producer;
        this.parts = parts;
        this.buffers = new PartBuffers(parts.size(), parts.parallel());
        this.retry = new Retry(name, attempts, firstWait, this::isTransient);
    }

    @Override
    public Optional<Long> largestObject() {
        return Optional.of(parts.largestObject());
    }

    /** Part buffers made so far: never more than {@link Parts#parallel()}, whatever uploads ran at once. */
    int buffersMade() {
        return buffers.made();
    }

    /** Part buffers taken and not yet given back. */
    int buffersInUse() {
        return buffers.inUse();
    }

    /** A reset connection, a timeout, or a 5xx answer (S3's SlowDown and ServiceUnavailable included). */
    @Override
    public boolean isTransient(Throwable failure) {
        // the whole cause chain first: this store and camel-minio wrap the client's answers in IOExceptions of their own,
        // and an answer (AccessDenied, NoSuchKey) decides, not the wrapper
        boolean io = false;
        for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof ErrorResponseException response) {
                String code = response.errorResponse().code();
                return (response.response() != null && response.response().code() >= 500)
                        || List.of("InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout").contains(code);
            }
            if (e instanceof io.minio.errors.ServerException server) {
                return server.statusCode() >= 500;
            }
            if (e instanceof FileNotFoundException) {
                return false;
            }
            io |= e instanceof IOException;
        }
        return io; // a reset connection, a timeout: no answer came
    }

    /**
     * Creates the bucket when missing (before the first write: a store that is down fails runs, not start-up). Two
     * processes may find it missing at once (a run and the daemon's first WAL push): the one whose creation comes
     * second is told the bucket is already its own, which is what it wanted.
     */
    public void ensureBucket() throws IOException {
        try {
            if (!client.get().bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                client.get().makeBucket(MakeBucketArgs.builder().bucket(bucket).objectLock(lock != null).build());
                bucketLocked = lock != null;
            } else {
                bucketLocked = hasObjectLock();
            }
        } catch (ErrorResponseException e) {
            if (!"BucketAlreadyOwnedByYou".equals(e.errorResponse().code())) {
                throw failure("checking bucket", bucket, e);
            }
        } catch (Exception e) {
            throw failure("checking bucket", bucket, e);
        }
    }

    /**
     * Whether the existing bucket has object lock on: a default retention then makes S3 refuse uploads without a
     * checksum, even from a store that sets no lock of its own. A server without object lock (S3Proxy: not implemented)
     * or a bucket without it says so; any other answer (a policy that does not allow the question) counts as locked,
     * which costs only the MD5s.
     */
    private boolean hasObjectLock() {
        try {
            client.get().getObjectLockConfiguration(io.minio.GetObjectLockConfigurationArgs.builder().bucket(bucket).build());
            return true;
        } catch (ErrorResponseException e) {
            return !lockAbsent(e.errorResponse().code());
        } catch (Exception e) {
            return true;
        }
    }

    /** S3 requires a checksum of every upload into a locked bucket, this store's lock or the bucket's default. */
    private boolean checksumRequired() {
        return lock != null || bucketLocked;
    }

    /** The error codes of S3 servers that say a bucket has no object lock. */
    static boolean lockAbsent(String errorCode) {
        return "ObjectLockConfigurationNotFoundError".equals(errorCode) || "NotImplemented".equals(errorCode);
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Uploads in parts of {@link Parts#size()} bytes, {@link Parts#parallel()} at a time; each part is sent again from its
     * buffer when a request fails transiently, so a failure costs that part, not the upload. An object smaller than one
     * part is one PUT. What fails for good aborts the multipart upload: nothing of it stays stored or billed.
     */
    @Override
    public long put(String key, InputStream data) throws IOException {
        return write(key, data, false);
    }

    /** Large bodies go unsigned and without MD5 ({@link BufferUploads}), unless the bucket is locked. */
    @Override
    public long putReadBack(String key, InputStream data) throws IOException {
        return write(key, data, true);
    }

    private long write(String key, InputStream data, boolean readBack) throws IOException {
        if (!bucketChecked) {
            try {
                retry.call("checking bucket " + bucket, () -> {
                    ensureBucket();
                    return null;
                });
            } catch (Exception e) {
                throw Retry.asIOException(e);
            }
            bucketChecked = true;
        }
        // a buffer is taken once the first byte is there: a writer still preparing its data (a snapshot's index waits
        // for the snapshot's packs) must not hold one that others need to finish first
        byte[] head = new byte[1];
        boolean empty = data.readNBytes(head, 0, 1) == 0; // the source's failure fails the put, never retried
        byte[] first;
        try {
            first = buffers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for an upload buffer of store '" + name + "'");
        }
        int length;
        try {
            first[0] = head[0];
            length = empty ? 0 : 1 + data.readNBytes(first, 1, first.length - 1);
        } catch (IOException | RuntimeException e) {
            buffers.release(first);
            throw e;
        }
        boolean unhashed = readBack && !checksumRequired();
        if (length < parts.size()) {
            try {
                com.google.common.collect.ImmutableMultimap.Builder<String, String> headers = com.google.common.collect
                        .ImmutableMultimap.<String, String>builder().putAll(uploadHeaders());
                if (checksumRequired()) {
                    headers.put("Content-MD5", md5(first, length));
                } else if (unhashed) {
                    headers.put(BufferUploads.UNHASHED, "yes");
                }
                retry.call("writing " + key, () -> uploads.get().put(bucket, key, first, length, headers.build()).get());
            } catch (Exception e) {
                throw failure("writing", key, e);
            } finally {
                buffers.release(first);
            }
            return length;
        }
        return new MultipartUpload(key, unhashed).upload(first, data);
    }

    private static final String CONTENT_TYPE = "application/octet-stream";

    private static String md5(byte[] data, int length) {
        try {
            java.security.MessageDigest md5 = java.security.MessageDigest.getInstance("MD5");
            md5.update(data, 0, length);
            return java.util.Base64.getEncoder().encodeToString(md5.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no MD5", e);
        }
    }

    /** The headers of a PUT or of a multipart upload's start: the content type, and the object lock when there is one. */
    private com.google.common.collect.Multimap<String, String> uploadHeaders() {
        com.google.common.collect.ImmutableMultimap.Builder<String, String> headers = com.google.common.collect.ImmutableMultimap
                .<String, String>builder().put("Content-Type", CONTENT_TYPE);
        if (lock != null) {
            headers.put("x-amz-object-lock-mode", lock.mode().name())
                    .put("x-amz-object-lock-retain-until-date", lock.untilFromNow().format(java.time.format.DateTimeFormatter.ISO_INSTANT));
        }
        return headers.build();
    }

    /**
     * Sends PUTs and parts from the store's own buffers: minio's public {@code putObject} first copies the stream into
     * buffers of its own (garbage of at least each object's size).
     *
     * <p>A body of {@link #UNSIGNED_FROM} bytes or more whose request carries {@link #UNHASHED} (a copy its writer reads
     * back, {@link Store#putReadBack}) goes with an unsigned payload and without Content-MD5: minio would hash every
     * byte twice more (MD5, and SHA-256 to sign over plain HTTP) and the server check the SHA-256 (a 477 MB dump: ~2.5
     * CPU-s more here, ~0.9 in S3Proxy). The read-back compares the stored copy's SHA-256 before anything counts,
     * which catches what they would (and TLS guards the transfer over https). The marker itself is never sent.
     */
    private static final class BufferUploads extends io.minio.MinioAsyncClient {
        static final String UNHASHED = "X-Mking-Unhashed";
        static final int UNSIGNED_FROM = 1 << 20;

        BufferUploads(io.minio.MinioAsyncClient client) {
            super(client);
        }

        java.util.concurrent.CompletableFuture<io.minio.ObjectWriteResponse> put(String bucket, String key, byte[] data, int length,
                com.google.common.collect.Multimap<String, String> headers) throws Exception {
            return putObjectAsync(bucket, null, key, data, length, headers, null);
        }

        java.util.concurrent.CompletableFuture<io.minio.UploadPartResponse> part(String bucket, String key, byte[] data, int length,
                String uploadId, int number, com.google.common.collect.Multimap<String, String> headers) throws Exception {
            return uploadPartAsync(bucket, null, key, data, length, uploadId, number, headers, null);
        }

        @Override
        protected okhttp3.Request createRequest(okhttp3.HttpUrl url, io.minio.http.Method method, okhttp3.Headers headers,
                Object body, int length, io.minio.credentials.Credentials credentials)
                throws io.minio.errors.InsufficientDataException, io.minio.errors.InternalException, IOException,
                java.security.NoSuchAlgorithmException {
            if (headers == null || headers.get(UNHASHED) == null) {
                return super.createRequest(url, method, headers, body, length, credentials);
            }
            okhttp3.Headers sent = headers.newBuilder().removeAll(UNHASHED).build();
            if (!(body instanceof byte[] data) || length < UNSIGNED_FROM) {
                return super.createRequest(url, method, sent, body, length, credentials);
            }
            // minio's own request (headers, date, token) for an empty body, then the body itself, unhashed
            okhttp3.Request request = super.createRequest(url, method, sent, new byte[0], 0, credentials);
            String type = sent.get("Content-Type");
            okhttp3.RequestBody payload = okhttp3.RequestBody.create(data,
                    okhttp3.MediaType.parse(type == null ? CONTENT_TYPE : type), 0, length);
            return request.newBuilder().removeHeader("Content-MD5").header("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
                    .method(method.toString(), payload).build();
        }
    }

    /** A part's upload, holding the buffer it is sent from. */
    private static final class PartSend extends java.util.concurrent.FutureTask<io.minio.messages.Part> {
        private final byte[] buffer;

        PartSend(byte[] buffer, java.util.concurrent.Callable<io.minio.messages.Part> send) {
            super(send);
            this.buffer = buffer;
        }
    }

    /** One object's multipart upload: parts read in order, sent in parallel, each retried from its own buffer. */
    private final class MultipartUpload {
        private final String key;
        private final java.util.concurrent.ExecutorService senders;
        private final List<java.util.concurrent.Future<io.minio.messages.Part>> partsSent = new ArrayList<>();
        private final boolean unhashed;
        private String uploadId;

        /** @param unhashed its parts go unsigned and without MD5 ({@link BufferUploads}) */
        MultipartUpload(String key, boolean unhashed) {
            this.key = key;
            this.unhashed = unhashed;
            this.senders = java.util.concurrent.Executors.newFixedThreadPool(MinioStore.this.parts.parallel(), runnable -> {
                Thread thread = new Thread(runnable, "s3-part-" + name);
                thread.setDaemon(true);
                return thread;
            });
        }

        /** @param first the first part, read already into a buffer of the store's; every buffer goes back once sent */
        long upload(byte[] first, InputStream data) throws IOException {
            try {
                try {
                    uploadId = retry.call("starting the upload of " + key, () -> asyncClient.get().createMultipartUploadAsync(
                            bucket, null, key, uploadHeaders(), null)
                            .get().result().uploadId());
                } catch (Exception e) {
                    buffers.release(first);
                    throw e;
                }
                long total = send(1, first, first.length);
                for (int number = 2; ; number++) {
                    byte[] buffer = nextBuffer();
                    int length;
                    try {
                        length = data.readNBytes(buffer, 0, buffer.length);
                    } catch (IOException | RuntimeException e) {
                        buffers.release(buffer);
                        throw e;
                    }
                    if (length == 0) {
                        buffers.release(buffer);
                        break;
                    }
                    if (number > MinioStore.this.parts.maxCount()) {
                        buffers.release(buffer);
                        throw tooLarge();
                    }
                    total += send(number, buffer, length);
                    if (length < buffer.length) {
                        break;
                    }
                }
                io.minio.messages.Part[] sent = new io.minio.messages.Part[partsSent.size()];
                for (int i = 0; i < sent.length; i++) {
                    sent[i] = partsSent.get(i).get();
                }
                complete(sent, total);
                return total;
            } catch (Exception e) {
                abort();
                throw failure("writing", key, Retry.unwrap(e) instanceof Exception cause ? cause : e);
            } finally {
                stopSenders();
            }
        }

        /** The object outgrew what S3 takes in parts of this size; says how to make room (nothing is retried). */
        private IOException tooLarge() {
            Parts parts = MinioStore.this.parts;
            int mib = 1 << 20;
            int advised = Integer.highestOneBit(Math.min(512, Math.max(2 * parts.size() / mib, 32)));
            return new IOException("the object outgrew S3's " + parts.maxCount() + " parts of " + parts.size() / mib
                    + " MiB (" + Bytes.human(parts.largestObject()) + "); raise mking.store." + name + ".part-size-mib (e.g. "
                    + advised + ": " + Bytes.human((long) advised * mib * parts.maxCount()) + "; the store's upload memory "
                    + "is parallel-parts x part-size-mib)");
        }

        /**
         * A free buffer of the store's, once a part in flight (of this upload or another) was acknowledged; a part that
         * failed for good stops the upload here.
         */
        private byte[] nextBuffer() throws Exception {
            while (true) {
                byte[] buffer = buffers.take(1, java.util.concurrent.TimeUnit.SECONDS);
                for (java.util.concurrent.Future<io.minio.messages.Part> part : partsSent) {
                    if (part.isDone()) {
                        try {
                            part.get(); // throws the part's failure
                        } catch (Exception e) {
                            if (buffer != null) {
                                buffers.release(buffer);
                            }
                            throw e;
                        }
                    }
                }
                if (buffer != null) {
                    return buffer;
                }
            }
        }

        private long send(int number, byte[] buffer, int length) {
            PartSend part = new PartSend(buffer, () -> {
                try {
                    // a locked object's parts carry their MD5, computed once however often the part is sent
                    com.google.common.collect.Multimap<String, String> headers = checksumRequired()
                            ? com.google.common.collect.ImmutableMultimap.of("Content-MD5", md5(buffer, length))
                            : unhashed ? com.google.common.collect.ImmutableMultimap.of(BufferUploads.UNHASHED, "yes") : null;
                    String etag = retry.call("writing part " + number + " of " + key, () -> uploads.get()
                            .part(bucket, key, buffer, length, uploadId, number, headers).get().etag());
                    return new io.minio.messages.Part(number, etag);
                } finally {
                    buffers.release(buffer);
                }
            });
            partsSent.add(part);
            senders.execute(part);
            return length;
        }

        /** Stops the senders; a part that never started gives its buffer back here (its own finally never runs). */
        private void stopSenders() {
            for (Runnable neverStarted : senders.shutdownNow()) {
                if (neverStarted instanceof PartSend part) {
                    buffers.release(part.buffer);
                }
            }
        }

        /** A retried completion may find the upload already completed by the attempt whose answer was lost. */
        private void complete(io.minio.messages.Part[] sent, long total) throws Exception {
            boolean[] tried = {false};
            retry.call("completing the upload of " + key, () -> {
                try {
                    return asyncClient.get().completeMultipartUploadAsync(bucket, null, key, uploadId, sent, null, null).get();
                } catch (Exception e) {
                    Throwable cause = Retry.unwrap(e);
                    if (tried[0] && cause instanceof ErrorResponseException response
                            && "NoSuchUpload".equals(response.errorResponse().code()) && size(key).orElse(-1L) == total) {
                        return null;
                    }
                    throw e;
                } finally {
                    tried[0] = true;
                }
            });
        }

        private void abort() {
            if (uploadId == null) {
                return;
            }
            stopSenders();
            try {
                retry.call("aborting the upload of " + key, () -> asyncClient.get()
                        .abortMultipartUploadAsync(bucket, null, key, uploadId, null, null).get());
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(MinioStore.class).warn("store '{}': the unfinished upload of {} could not "
                        + "be aborted ({}); the periodic sweep removes it", name, key, e.getMessage());
            }
        }
    }

    @Override
    public InputStream get(String key) throws IOException {
        if (size(key).isEmpty()) {
            throw new FileNotFoundException(key + " not found in store '" + name + "'");
        }
        try {
            return producer.requestBodyAndHeader(endpoint("getObject"), null, MinioConstants.OBJECT_NAME, key, InputStream.class);
        } catch (Exception e) {
            throw failure("reading", key, e);
        }
    }

    @Override
    public Optional<Long> size(String key) throws IOException {
        try {
            return Optional.of(client.get().statObject(StatObjectArgs.builder().bucket(bucket).object(key).build()).size());
        } catch (ErrorResponseException e) {
            if (List.of("NoSuchKey", "NoSuchObject", "NoSuchBucket").contains(e.errorResponse().code())) {
                return Optional.empty(); // the bucket is created on the first write
            }
            throw failure("checking", key, e);
        } catch (Exception e) {
            throw failure("checking", key, e);
        }
    }

    /**
     * The retention date the server reports, else (a server that does not report it) the upload time plus this store's
     * lock period: what we asked for. Empty when the store writes without a lock or the lock has ended.
     */
    @Override
    public Optional<java.time.Instant> lockedUntil(String key) throws IOException {
        if (lock == null) {
            return Optional.empty();
        }
        try {
            io.minio.StatObjectResponse stat = client.get().statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
            java.time.Instant until = stat.retentionRetainUntilDate() != null ? stat.retentionRetainUntilDate().toInstant()
                    : stat.lastModified().toInstant().plus(lock.period());
            return until.isAfter(java.time.Instant.now()) ? Optional.of(until) : Optional.empty();
        } catch (ErrorResponseException e) {
            if (List.of("NoSuchKey", "NoSuchObject", "NoSuchBucket").contains(e.errorResponse().code())) {
                return Optional.empty();
            }
            throw failure("checking the lock of", key, e);
        } catch (Exception e) {
            throw failure("checking the lock of", key, e);
        }
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        List<String> keys = new ArrayList<>();
        try {
            for (Result<Item> result : client.get().listObjects(
                    ListObjectsArgs.builder().bucket(bucket).prefix(prefix).recursive(true).build())) {
                keys.add(result.get().objectName());
            }
        } catch (ErrorResponseException e) {
            if ("NoSuchBucket".equals(e.errorResponse().code())) {
                return keys; // the bucket is created on the first write
            }
            throw failure("listing", prefix, e);
        } catch (Exception e) {
            throw failure("listing", prefix, e);
        }
        return keys;
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            producer.sendBodyAndHeader(endpoint("deleteObject"), null, MinioConstants.OBJECT_NAME, key);
        } catch (Exception e) {
            throw failure("deleting", key, e);
        }
    }

    /** Aborts multipart uploads under the prefix that began before the cutoff (their parts are billed until then). */
    @Override
    public int removeIncomplete(String prefix, java.time.Instant startedBefore) throws IOException {
        int removed = 0;
        String keyMarker = null;
        String uploadIdMarker = null;
        try {
            while (true) {
                var result = asyncClient.get().listMultipartUploadsAsync(bucket, null, null, null, keyMarker, 1000, prefix,
                        uploadIdMarker, null, null).get().result();
                for (io.minio.messages.Upload upload : result.uploads()) {
                    if (upload.initiated() == null || upload.initiated().toInstant().isBefore(startedBefore)) {
                        asyncClient.get().abortMultipartUploadAsync(bucket, null, upload.objectName(), upload.uploadId(), null, null).get();
                        removed++;
                    }
                }
                if (!result.isTruncated()) {
                    return removed;
                }
                keyMarker = result.nextKeyMarker();
                uploadIdMarker = result.nextUploadIdMarker();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while removing unfinished uploads");
        } catch (Exception e) {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof ErrorResponseException response && "NoSuchBucket".equals(response.errorResponse().code())) {
                return removed;
            }
            throw failure("removing unfinished uploads under", prefix, cause instanceof Exception ex ? ex : e);
        }
    }

    @Override
    public String describe() {
        return "minio:" + endpointDescription + "/" + bucket;
    }

    private String endpoint(String operation) {
        return "minio:" + bucket + "?minioClient=#" + MinioStores.clientBeanName(name) + "&operation=" + operation
                + "&autoCreateBucket=false";
    }

    private IOException failure(String action, String key, Exception e) {
        Throwable cause = e instanceof CamelExecutionException && e.getCause() != null ? e.getCause() : e;
        return new IOException(action + " " + key + " in store '" + name + "' (" + describe() + ") failed: " + explain(cause),
                cause);
    }

    /**
     * One line an operator can act on. S3's answer, when there is one, is its code and message: minio's own message is
     * "error occurred" followed by the whole request and response, and camel-minio wraps it in an endpoint failure.
     */
    private String explain(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ErrorResponseException response && response.errorResponse() != null) {
                String code = response.errorResponse().code();
                String answer = code + ": " + response.errorResponse().message();
                return CREDENTIALS_REFUSED.contains(code) ? answer + " (check the store's access key and secret key, "
                        + StoreRegistry.envName("mking.store." + name + ".access-key") + " and "
                        + StoreRegistry.envName("mking.store." + name + ".secret-key") + ", and that the key may use bucket "
                        + bucket + ")" : answer;
            }
        }
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        return message.lines().findFirst().orElse(message);
    }

    /** S3's answers to a key it does not know or a signature made with the wrong secret. */
    private static final List<String> CREDENTIALS_REFUSED = List.of("InvalidAccessKeyId", "SignatureDoesNotMatch",
            "AccessDenied");
}
