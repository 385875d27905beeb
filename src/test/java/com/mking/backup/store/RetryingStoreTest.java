package com.mking.backup.store;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The retry decorator every configured store is wrapped in: what it retries, what it leaves to the store. */
class RetryingStoreTest {

    /** Fails each operation {@code failures} times with a reset connection before it works; a missing key is never transient. */
    private static final class FlakyStore implements Store {
        private final int failures;
        private final List<String> calls = new ArrayList<>();

        FlakyStore(int failures) {
            this.failures = failures;
        }

        private void maybeFail(String operation) throws IOException {
            calls.add(operation);
            if (calls.stream().filter(operation::equals).count() <= failures) {
                throw new SocketException("Connection reset");
            }
        }

        @Override
        public String name() {
            return "flaky";
        }

        @Override
        public long put(String key, InputStream data) throws IOException {
            maybeFail("put");
            return data.readAllBytes().length;
        }

        @Override
        public InputStream get(String key) throws IOException {
            if (key.equals("missing")) {
                calls.add("get");
                throw new FileNotFoundException(key);
            }
            maybeFail("get");
            return new ByteArrayInputStream(new byte[]{1});
        }

        @Override
        public Optional<Long> size(String key) throws IOException {
            maybeFail("size");
            return Optional.of(1L);
        }

        @Override
        public List<String> list(String prefix) throws IOException {
            maybeFail("list");
            return List.of("a");
        }

        @Override
        public void delete(String key) throws IOException {
            maybeFail("delete");
        }

        @Override
        public int removeIncomplete(String prefix, Instant startedBefore) throws IOException {
            maybeFail("removeIncomplete");
            return 0;
        }

        @Override
        public boolean isTransient(Throwable failure) {
            return failure instanceof SocketException;
        }

        @Override
        public String describe() {
            return "flaky";
        }
    }

    @Test
    void idempotentOperationsAreRetriedUntilTheyWork() throws IOException {
        FlakyStore flaky = new FlakyStore(2);
        Store store = new RetryingStore(flaky, 3, Duration.ofMillis(1));
        assertThat(store.get("k").readAllBytes()).containsExactly(1);
        assertThat(store.size("k")).contains(1L);
        assertThat(store.list("")).containsExactly("a");
        store.delete("k");
        store.removeIncomplete("", Instant.now());
        assertThat(flaky.calls).filteredOn("list"::equals).hasSize(3);
    }

    @Test
    void theLastFailureIsThrownWhenTheAttemptsAreUsedUp() {
        FlakyStore flaky = new FlakyStore(5);
        Store store = new RetryingStore(flaky, 3, Duration.ofMillis(1));
        assertThatThrownBy(() -> store.list("")).isInstanceOf(SocketException.class).hasMessage("Connection reset");
        assertThat(flaky.calls).hasSize(3);
    }

    @Test
    void aMissingKeyIsNotRetried() {
        FlakyStore flaky = new FlakyStore(0);
        Store store = new RetryingStore(flaky, 5, Duration.ofMillis(1));
        assertThatThrownBy(() -> store.get("missing")).isInstanceOf(FileNotFoundException.class);
        assertThat(flaky.calls).containsExactly("get");
    }

    /** A stream cannot be read twice: puts are the store's own to resume (parts, segments). */
    @Test
    void aPutIsLeftToTheStore() {
        FlakyStore flaky = new FlakyStore(1);
        Store store = new RetryingStore(flaky, 5, Duration.ofMillis(1));
        assertThatThrownBy(() -> store.put("k", new ByteArrayInputStream(new byte[3]))).isInstanceOf(SocketException.class);
        assertThat(flaky.calls).containsExactly("put");
    }
}
