package com.mking.backup.store;

import com.mking.backup.pipeline.Sha256;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@link Store} contract, run against every implementation (the restic pattern): a store's test
 * class only says how to make one.
 */
abstract class StoreContractTest {

    protected CamelContext camel;
    private Store store;

    /** Creates the store under test; {@code camel} is started. */
    protected abstract Store createStore() throws Exception;

    @BeforeEach
    void startStore() throws Exception {
        camel = new DefaultCamelContext();
        camel.start();
        store = createStore();
    }

    @AfterEach
    void stopCamel() {
        camel.stop();
    }

    @Test
    void streamsALargeObjectInAndOutUnchanged() throws IOException {
        long size = 40L * 1024 * 1024 + 123;
        Sha256.Sized written = Sha256.of(new RandomStream(size, 7));
        assertThat(store.put("job/2026/01/01/id/data.zst", new RandomStream(size, 7))).isEqualTo(size);
        assertThat(store.size("job/2026/01/01/id/data.zst")).contains(size);
        assertThat(Sha256.of(store.get("job/2026/01/01/id/data.zst"))).isEqualTo(written);
    }

    @Test
    void aFailingStreamPublishesNothing() {
        InputStream failing = new RandomStream(20L * 1024 * 1024, 1) {
            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (position() > 17L * 1024 * 1024) {
                    throw new IOException("source died");
                }
                return super.read(buffer, offset, length);
            }
        };
        assertThatThrownBy(() -> store.put("job/x/data", failing)).isInstanceOf(IOException.class);
        assertThat(sizeOf("job/x/data")).isEmpty();
        assertThat(listQuietly("job/")).isEmpty();
    }

    @Test
    void listsRecursivelyByPrefix() throws IOException {
        store.put("a/2026/01/01/one/manifest.json", bytes("1"));
        store.put("a/2026/01/02/two/manifest.json", bytes("2"));
        store.put("b/2026/01/01/three/manifest.json", bytes("3"));
        assertThat(store.list("a/")).containsExactlyInAnyOrder("a/2026/01/01/one/manifest.json", "a/2026/01/02/two/manifest.json");
        assertThat(store.list("")).hasSize(3);
    }

    @Test
    void deleteIsIdempotentAndGetOfAMissingKeyFailsClearly() throws IOException {
        store.put("c/obj", bytes("x"));
        store.delete("c/obj");
        store.delete("c/obj");
        assertThat(store.size("c/obj")).isEmpty();
        assertThatThrownBy(() -> store.get("c/obj")).isInstanceOf(FileNotFoundException.class).hasMessageContaining("c/obj");
    }

    @Test
    void describeNeverContainsCredentials() {
        assertThat(store.describe()).doesNotContain("secret");
    }

    private java.util.Optional<Long> sizeOf(String key) {
        try {
            return store.size(key);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private java.util.List<String> listQuietly(String prefix) {
        try {
            return store.list(prefix);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InputStream bytes(String text) {
        return new ByteArrayInputStream(text.getBytes());
    }

    /**
     * Deterministic pseudo-random bytes of a given size, generated on the fly (never held in memory), the same however
     * they are read (one byte, then many: a store may look at the first byte before the rest).
     */
    static class RandomStream extends InputStream {
        private final long size;
        private final Random random;
        private final byte[] block = new byte[8192];
        private int used = block.length;
        private long position;

        RandomStream(long size, long seed) {
            this.size = size;
            this.random = new Random(seed);
        }

        long position() {
            return position;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (position >= size) {
                return -1;
            }
            if (used == block.length) {
                random.nextBytes(block);
                used = 0;
            }
            int n = (int) Math.min(Math.min(length, block.length - used), size - position);
            System.arraycopy(block, used, buffer, offset, n);
            used += n;
            position += n;
            return n;
        }
    }
}
