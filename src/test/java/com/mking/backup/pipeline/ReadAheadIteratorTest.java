package com.mking.backup.pipeline;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReadAheadIteratorTest {

    @Test
    void passesEveryItemInOrder() {
        List<Integer> items = IntStream.range(0, 5_000).boxed().toList();
        List<Integer> seen = new ArrayList<>();
        try (ReadAheadIterator<Integer> ahead = new ReadAheadIterator<>(items.iterator(), "test-ahead")) {
            ahead.forEachRemaining(seen::add);
            assertThat(ahead.hasNext()).isFalse();
        }
        assertThat(seen).isEqualTo(items);
    }

    /** A damaged index: what was decoded before the damage is delivered, then the failure, where the next item would be. */
    @Test
    void theSourcesFailureComesAfterEveryItemBeforeIt() {
        IllegalStateException bad = new IllegalStateException("authentication failed");
        Iterator<Integer> failingAt1000 = new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                if (next == 1_000) {
                    throw bad;
                }
                return true;
            }

            @Override
            public Integer next() {
                return next++;
            }
        };
        List<Integer> seen = new ArrayList<>();
        try (ReadAheadIterator<Integer> ahead = new ReadAheadIterator<>(failingAt1000, "test-ahead")) {
            assertThatThrownBy(() -> ahead.forEachRemaining(seen::add)).isSameAs(bad);
            assertThat(ahead.hasNext()).isFalse();
        }
        assertThat(seen).isEqualTo(IntStream.range(0, 1_000).boxed().toList());
    }

    /** An Error (out of memory) is not taken for a damaged index: it reaches the caller as it is. */
    @Test
    void anErrorReachesTheCallerUnchanged() {
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
        Iterator<Integer> failing = new Iterator<>() {
            @Override
            public boolean hasNext() {
                throw oom;
            }

            @Override
            public Integer next() {
                return 0;
            }
        };
        try (ReadAheadIterator<Integer> ahead = new ReadAheadIterator<>(failing, "test-ahead")) {
            assertThatThrownBy(ahead::hasNext).isSameAs(oom);
        }
    }

    /** A run being stopped is not a damaged index: the caller sees Interrupted, with its interrupt flag kept. */
    @Test
    void anInterruptedCallerIsToldSo() {
        Iterator<Integer> slow = new Iterator<>() {
            @Override
            public boolean hasNext() {
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return false;
            }

            @Override
            public Integer next() {
                return 0;
            }
        };
        try (ReadAheadIterator<Integer> ahead = new ReadAheadIterator<>(slow, "slow-ahead")) {
            Thread.currentThread().interrupt();
            assertThatThrownBy(ahead::hasNext).isInstanceOf(ReadAheadIterator.Interrupted.class);
            assertThat(Thread.interrupted()).isTrue();
        }
    }

    /** A walk that fails stops reading the previous index: the thread waiting to hand over more ends. */
    @Test
    void closingEarlyEndsTheThread() {
        Iterator<Integer> endless = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                return 1;
            }
        };
        ReadAheadIterator<Integer> ahead = new ReadAheadIterator<>(endless, "endless-iterator");
        assertThat(ahead.next()).isEqualTo(1);
        ahead.close();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces()
                .keySet().stream().noneMatch(thread -> thread.getName().equals("endless-iterator") && thread.isAlive()));
    }
}
