package com.mking.backup.store;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StoreRegistryTest {

    /**
     * A plain-http endpoint never needs the trust store; minio's timeouts and protocol are kept, and the most parallel
     * parts a store takes do not queue its reads.
     */
    @Test
    void aPlainHttpEndpointGetsAClientWithoutTls() {
        okhttp3.OkHttpClient plain = StoreRegistry.plainHttpClient("http://127.0.0.1:9000");
        assertThat(plain.connectionSpecs()).containsExactly(okhttp3.ConnectionSpec.CLEARTEXT);
        assertThat(plain.protocols()).containsExactly(okhttp3.Protocol.HTTP_1_1);
        assertThat(plain.readTimeoutMillis()).isEqualTo(300_000);
        assertThat(plain.writeTimeoutMillis()).isEqualTo(300_000);
        assertThat(plain.connectTimeoutMillis()).isEqualTo(300_000);
        assertThat(plain.dispatcher().getMaxRequestsPerHost()).as("parallel parts and reads at once")
                .isGreaterThan(StoreRegistry.MAX_PARALLEL_PARTS);
        assertThat(StoreRegistry.plainHttpClient("HTTP://minio:9000")).isNotNull();
        assertThat(StoreRegistry.plainHttpClient("https://s3.amazonaws.com")).as("minio's own, with TLS").isNull();
    }
}
