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
        org.assertj.core.api.Assertions.assertThatCode(behind::close).doesNotThrowAnyException(); // thrown once, above
        assertThat(consumed).hasValue(700);
    }

    /** As SnapshotBackup uses it: the failure thrown by accept is not thrown again by close (it would suppress itself). */
    @Test
    void aFailureIsThrownOnceInTryWithResources() {
        IOException full = new IOException("No space left on device");
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> {
            try (WriteBehind<Integer> behind = new WriteBehind<>(item -> {
                throw full;
            }, "test-behind")) {
                for (int i = 0; i < 1_000_000; i++) {
                    behind.accept(i);
                }
            }
        });
        assertThat(thrown).isSameAs(full);
        assertThat(thrown.getSuppressed()).isEmpty();
    }

    /** A run stopped while the index is written: close returns only once the consumer stopped writing. */
    @Test
    void anInterruptedCallerStopsTheConsumerBeforeCloseReturns() throws Exception {
        java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
        WriteBehind<Integer> behind = new WriteBehind<>(item -> {
            busy.countDown();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
        }, "slow-behind");
        for (int i = 0; i < 2_000; i++) {
            behind.accept(i);
        }
        busy.await();
        Thread.currentThread().interrupt();
        assertThatThrownBy(behind::close).isInstanceOf(java.io.InterruptedIOException.class);
        assertThat(Thread.interrupted()).isTrue();
        assertThat(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(thread -> thread.getName().equals("slow-behind") && thread.isAlive())).isTrue();
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
