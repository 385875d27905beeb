package com.mking.backup.store;

import com.mking.backup.support.TestS3;
import io.minio.MinioClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.UUID;

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
