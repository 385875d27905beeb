package com.mking.backup.support;

import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.messages.Item;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A real S3 API server in-process (S3Proxy on the filesystem), on a random loopback port. */
public final class TestS3 implements AutoCloseable {

    public static final String ACCESS_KEY = "test-access";
    public static final String SECRET_KEY = "test-secret-0123456789";

    private S3Proxy proxy;
    private final Path directory;
    private int port;

    private final AuthenticationType authentication;

    public TestS3() throws Exception {
        this(true);
    }

    /**
     * {@code authenticate} false: requests are not checked against their signatures, so a proxy in front may drop headers
     * S3Proxy does not implement (object lock) after a test recorded them.
     */
    public TestS3(boolean authenticate) throws Exception {
        authentication = authenticate ? AuthenticationType.AWS_V2_OR_V4 : AuthenticationType.NONE;
        directory = Files.createTempDirectory("s3proxy");
        proxy = startOn(0);
        port = proxy.getPort();
    }

    private S3Proxy startOn(int port) throws Exception {
        S3Proxy started = S3Proxy.builder()
                .blobStore(new FilesystemNio2BlobStore(directory.toString()))
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(authentication, ACCESS_KEY, SECRET_KEY)
                .build();
        started.start();
        while (!"STARTED".equals(started.getState())) {
            Thread.sleep(10);
        }
        return started;
    }

    /** Starts the server again on the same port, with the same objects (after {@link #stop()}). */
    public void restart() throws Exception {
        proxy = startOn(port);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public io.minio.MinioAsyncClient asyncClient() {
        return io.minio.MinioAsyncClient.builder().endpoint(endpoint()).credentials(ACCESS_KEY, SECRET_KEY).build();
    }

    /** Multipart uploads begun and neither completed nor aborted, under a prefix (as S3's ListMultipartUploads says). */
    public List<String> unfinishedUploads(String bucket, String prefix) throws Exception {
        List<String> keys = new ArrayList<>();
        if (!client().bucketExists(io.minio.BucketExistsArgs.builder().bucket(bucket).build())) {
            return keys; // not even made yet (the first write makes it)
        }
        for (io.minio.messages.Upload upload : asyncClient().listMultipartUploadsAsync(bucket, null, null, null, null, 1000,
                prefix, null, null, null).get().result().uploads()) {
            keys.add(upload.objectName());
        }
        return keys;
    }

    public MinioClient client() {
        return MinioClient.builder().endpoint(endpoint()).credentials(ACCESS_KEY, SECRET_KEY).build();
    }

    /** Every object key in the bucket (empty when the bucket does not exist). */
    public List<String> keys(String bucket) throws Exception {
        List<String> keys = new ArrayList<>();
        MinioClient client = client();
        if (!client.bucketExists(io.minio.BucketExistsArgs.builder().bucket(bucket).build())) {
            return keys;
        }
        for (Result<Item> item : client.listObjects(ListObjectsArgs.builder().bucket(bucket).recursive(true).build())) {
            keys.add(item.get().objectName());
        }
        return keys;
    }

    public void stop() throws Exception {
        proxy.stop();
    }

    @Override
    public void close() throws Exception {
        try {
            if (!"STOPPED".equals(proxy.getState())) {
                proxy.stop();
            }
        } finally {
            TestCluster.run("rm", "-rf", directory.toString());
        }
    }
}
