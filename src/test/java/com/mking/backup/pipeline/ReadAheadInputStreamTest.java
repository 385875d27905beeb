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

    @Test
    void closingEarlyClosesTheSource() throws IOException {
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
        InputStream in = ReadAheadInputStream.of(endless, "test");
        assertThat(in.readNBytes(10 << 20)).hasSize(10 << 20);
        in.close();
        assertThat(closed).isTrue();
    }
}
