package com.mking.backup.exec;

import com.mking.backup.pipeline.Sha256;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An artefact written by Java code reaches the reader whole, or the reader fails with the writer's own reason. */
class RunningWriterTest {

    @Test
    void theReaderGetsEveryByteTheWriterWrote() throws Exception {
        byte[] chunk = new byte[100_000];
        new Random(7).nextBytes(chunk);
        java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < 50; i++) {
            digest.update(chunk);
        }
        String expected = java.util.HexFormat.of().formatHex(digest.digest());
        RunningWriter writer = RunningWriter.start("test", out -> {
            for (int i = 0; i < 50; i++) {
                out.write(chunk);
            }
        });
        try (InputStream in = writer.getStdout()) {
            assertThat(Sha256.of(in).sha256()).isEqualTo(expected);
        }
    }

    @Test
    void aWriterThatFailsMidwayMakesTheReaderFailWithItsReasonNeverEndCleanly() {
        RunningWriter writer = RunningWriter.start("test", out -> {
            out.write(new byte[300_000]);
            throw new IOException("index of /srv/uploads could not be read: Permission denied");
        });
        assertThatThrownBy(() -> writer.getStdout().transferTo(OutputStream.nullOutputStream()))
                .isInstanceOf(IOException.class).hasMessageContaining("Permission denied");
    }

    /** A writer that closes what it was given (an archive writer's trailer) and then fails has not ended the artefact. */
    @Test
    void closingTheGivenStreamThenFailingStillFailsTheReader() {
        RunningWriter writer = RunningWriter.start("test", out -> {
            try (java.util.zip.GZIPOutputStream archive = new java.util.zip.GZIPOutputStream(out)) {
                archive.write(new byte[200_000]);
            }
            throw new IOException("the walk of /srv/uploads failed after the archive was closed");
        });
        assertThatThrownBy(() -> writer.getStdout().transferTo(OutputStream.nullOutputStream()))
                .isInstanceOf(IOException.class).hasMessageContaining("the walk of /srv/uploads failed");
    }

    @Test
    void killingItStopsABlockedWriterAndFailsTheReader() throws Exception {
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        RunningWriter writer = RunningWriter.start("test", out -> {
            try {
                while (true) {
                    out.write(new byte[65536]); // blocks once the pipe is full: nobody reads
                }
            } finally {
                stopped.countDown();
            }
        });
        Thread.sleep(200);
        writer.kill();
        assertThat(stopped.await(5, java.util.concurrent.TimeUnit.SECONDS)).as("the writer stopped").isTrue();
        assertThatThrownBy(() -> writer.getStdout().transferTo(OutputStream.nullOutputStream()))
                .isInstanceOf(IOException.class).hasMessageContaining("stopped");
    }
}
