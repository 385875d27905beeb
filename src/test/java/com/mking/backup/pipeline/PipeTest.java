package com.mking.backup.pipeline;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PipeTest {

    /** Writes of every size, large after small and small after large (the emptied arrays are filled again): the same bytes come out. */
    @Test
    void bytesComeOutAsWrittenWhateverTheWriteSizes() throws Exception {
        Pipe pipe = new Pipe(4);
        Random random = new Random(3);
        MessageDigest written = Sha256.newDigest();
        CompletableFuture<String> read = CompletableFuture.supplyAsync(() -> {
            try (InputStream source = pipe.source()) {
                MessageDigest digest = Sha256.newDigest();
                byte[] buffer = new byte[7000];
                for (int n; (n = source.read(buffer, 0, 1 + random.nextInt(buffer.length))) > 0; ) {
                    digest.update(buffer, 0, n);
                }
                return Sha256.hex(digest.digest());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (OutputStream sink = pipe.sink()) {
            Random sizes = new Random(5);
            for (int i = 0; i < 2000; i++) {
                byte[] chunk = new byte[sizes.nextInt(i % 3 == 0 ? 300_000 : 50)];
                sizes.nextBytes(chunk);
                sink.write(chunk, 0, chunk.length);
                written.update(chunk);
                if (i % 7 == 0) {
                    sink.write(42);
                    written.update((byte) 42);
                }
            }
        }
        assertThat(read.get()).isEqualTo(Sha256.hex(written.digest()));
    }

    /** What the writer gave up on never ends cleanly for the reader: it fails, however much it read already. */
    @Test
    void anAbortedPipeFailsTheReader() throws Exception {
        Pipe pipe = new Pipe(4);
        OutputStream sink = pipe.sink();
        sink.write(new byte[100], 0, 100);
        InputStream source = pipe.source();
        assertThat(source.read(new byte[100], 0, 100)).isEqualTo(100);
        pipe.abort(new IOException("the tool died"));
        assertThatThrownBy(() -> source.read(new byte[10], 0, 10)).isInstanceOf(Pipe.Aborted.class)
                .hasMessageContaining("the tool died");
    }
}
