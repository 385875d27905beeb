package com.mking.backup.store;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StoreRegistryTest {

    /**
     * A plain-http endpoint never needs the trust store; minio's timeouts and protocol are kept, and the most parallel
     * parts a store takes do not queue its reads, over http or https.
     */
    @Test
    void aStoreGetsMiniosClientWithoutTlsForPlainHttpAndRoomForItsParts() {
        okhttp3.OkHttpClient plain = StoreRegistry.httpClient("http://127.0.0.1:9000");
        assertThat(plain.connectionSpecs()).containsExactly(okhttp3.ConnectionSpec.CLEARTEXT);
        assertThat(plain.protocols()).containsExactly(okhttp3.Protocol.HTTP_1_1);
        assertThat(plain.readTimeoutMillis()).isEqualTo(300_000);
        assertThat(plain.writeTimeoutMillis()).isEqualTo(300_000);
        assertThat(plain.connectTimeoutMillis()).isEqualTo(300_000);
        assertThat(plain.dispatcher().getMaxRequestsPerHost()).as("parallel parts and reads at once")
                .isGreaterThan(StoreRegistry.MAX_PARALLEL_PARTS);
        assertThat(StoreRegistry.httpClient("HTTP://minio:9000").connectionSpecs()).containsExactly(okhttp3.ConnectionSpec.CLEARTEXT);

        okhttp3.OkHttpClient tls = StoreRegistry.httpClient("https://s3.amazonaws.com");
        assertThat(tls.connectionSpecs()).as("minio's own, with TLS").contains(okhttp3.ConnectionSpec.MODERN_TLS);
        assertThat(tls.readTimeoutMillis()).isEqualTo(300_000);
        assertThat(tls.dispatcher().getMaxRequestsPerHost()).isGreaterThan(StoreRegistry.MAX_PARALLEL_PARTS);
    }
}
