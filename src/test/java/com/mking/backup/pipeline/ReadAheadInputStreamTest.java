package com.mking.backup.pipeline;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReadAheadInputStreamTest {

    @Test
    void passesEveryByteInOrder() throws IOException {
        byte[] data = new byte[5 * (256 << 10) + 123];
        new Random(1).nextBytes(data);
        try (InputStream in = ReadAheadInputStream.of(new ByteArrayInputStream(data), "test")) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
    }

    @Test
    void theSourcesFailureReachesTheCallerUnchangedInsteadOfTheEnd() {
        CorruptArtefactException bad = new CorruptArtefactException("authentication failed", null);
        InputStream failingAtTheEnd = new SequenceInputStream(new ByteArrayInputStream(new byte[3 << 20]), new InputStream() {
            @Override
            public int read() throws IOException {
                throw bad;
            }
        });
        assertThatThrownBy(() -> ReadAheadInputStream.of(failingAtTheEnd, "test").readAllBytes()).isSameAs(bad);
    }

    /** A reader that stops early (a failed write) closes the source, and the thread waiting to hand over more ends. */
    @Test
    void closingEarlyClosesTheSourceAndEndsTheThread() throws IOException {
        AtomicBoolean closed = new AtomicBoolean();
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return len;
            }

            @Override
            public void close() {
                closed.set(true);
            }
        };
        InputStream in = ReadAheadInputStream.of(endless, "endless-ahead");
        assertThat(in.readNBytes(10 << 20)).hasSize(10 << 20);
        in.close();
        assertThat(closed).isTrue();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces()
                .keySet().stream().noneMatch(thread -> thread.getName().equals("endless-ahead") && thread.isAlive()));
    }
}
