package com.mking.backup.store;

import java.util.function.Supplier;
import io.minio.BucketExistsArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
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
 * An S3-compatible bucket (MinIO, AWS S3, ...). Uploads use the MinIO client's multipart upload with an
 * unknown length, so memory stays at one part whatever the artefact size, and the object only appears
 * when the upload completes. Reads and deletes go through the camel-minio endpoint.
 */
public final class MinioStore implements Store {

    /** 16 MiB parts: one part buffered in memory, up to 160 GiB per object within S3's 10,000 parts. */
    static final long PART_SIZE = 16L * 1024 * 1024;

    private final String name;
    private final Supplier<MinioClient> client;
    private final Supplier<io.minio.MinioAsyncClient> asyncClient;
    private final String bucket;
    private final String endpointDescription;
    private final ProducerTemplate producer;
    private volatile boolean bucketChecked;

    /** The clients are made on first use: a command that never touches the bucket does not pay for them. */
    public MinioStore(String name, Supplier<MinioClient> client, Supplier<io.minio.MinioAsyncClient> asyncClient,
                      String bucket, String endpointDescription, ProducerTemplate producer) {
        this.name = name;
        this.client = client;
        this.asyncClient = asyncClient;
        this.bucket = bucket;
        this.endpointDescription = endpointDescription;
        this.producer = producer;
    }

    /**
     * Creates the bucket when missing (before the first write: a store that is down fails runs, not start-up). Two
     * processes may find it missing at once (a run and the daemon's first WAL push): the one whose creation comes
     * second is told the bucket is already its own, which is what it wanted.
     */
    public void ensureBucket() throws IOException {
        try {
            if (!client.get().bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                client.get().makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            }
        } catch (ErrorResponseException e) {
            if (!"BucketAlreadyOwnedByYou".equals(e.errorResponse().code())) {
                throw failure("checking bucket", bucket, e);
            }
        } catch (Exception e) {
            throw failure("checking bucket", bucket, e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long put(String key, InputStream data) throws IOException {
        if (!bucketChecked) {
            ensureBucket();
            bucketChecked = true;
        }
        CountingInputStream counted = new CountingInputStream(data);
        try {
            client.get().putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                    .stream(counted, -1, PART_SIZE)
                    .contentType("application/octet-stream")
                    .build());
        } catch (Exception e) {
            throw failure("writing", key, e);
        }
        return counted.count();
    }

    @Override
    public InputStream get(String key) throws IOException {
        if (size(key).isEmpty()) {
            throw new FileNotFoundException(key + " not found in store '" + name + "'");
        }
        try {
            return producer.requestBodyAndHeader(endpoint("getObject"), null, MinioConstants.OBJECT_NAME, key,
                    InputStream.class);
        } catch (CamelExecutionException e) {
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
        } catch (CamelExecutionException e) {
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
        String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new IOException(action + " " + key + " in store '" + name + "' (" + describe() + ") failed: " + detail, cause);
    }
}
