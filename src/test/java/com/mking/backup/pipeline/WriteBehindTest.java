package com.mking.backup.pipeline;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WriteBehindTest {

    @Test
    void everyItemIsConsumedInOrderWhenCloseReturns() throws IOException {
        List<Integer> written = new ArrayList<>();
        try (WriteBehind<Integer> behind = new WriteBehind<>(written::add, "test-behind")) {
            for (int i = 0; i < 5_000; i++) {
                behind.accept(i);
            }
        }
        assertThat(written).isEqualTo(IntStream.range(0, 5_000).boxed().toList());
    }

    /** The spool's disk fills: the walk stops at its next entry with that error, and never waits on a full queue. */
    @Test
    void theConsumersFailureStopsTheCaller() {
        IOException full = new IOException("No space left on device");
        AtomicInteger consumed = new AtomicInteger();
        WriteBehind<Integer> behind = new WriteBehind<>(item -> {
            if (consumed.incrementAndGet() == 700) {
                throw full;
            }
        }, "test-behind");
        assertThatThrownBy(() -> {
            for (int i = 0; i < 1_000_000; i++) {
                behind.accept(i);
            }
        }).isSameAs(full);
        assertThatThrownBy(behind::close).isSameAs(full);
        assertThat(consumed).hasValue(700);
    }

    @Test
    void aFailureInTheLastBatchIsThrownByClose() {
        IOException full = new IOException("No space left on device");
        WriteBehind<Integer> behind = new WriteBehind<>(item -> {
            throw full;
        }, "test-behind");
        assertThatThrownBy(() -> {
            behind.accept(1);
            behind.close();
        }).isSameAs(full);
    }
}
