package com.mking.backup.source.files;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class HoleWriterTest {

    @TempDir
    Path dir;

    @Test
    void zerosBecomeHolesAndTheFileReadsBackAsWritten() throws Exception {
        // 40 MiB: random data, 16 MiB of zeros, data, an odd-sized stretch, and a piece ending in 8 MiB of zeros
        byte[] expected = new byte[40 << 20];
        Random random = new Random(7);
        byte[] data = new byte[3 << 20];
        random.nextBytes(data);
        System.arraycopy(data, 0, expected, 0, data.length);
        System.arraycopy(data, 0, expected, 19 << 20, data.length);
        byte[] odd = "not block aligned".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(odd, 0, expected, (25 << 20) + 1000, odd.length);

        // the pieces arrive out of order, as a restore writes them pack by pack; each in reads of an odd size
        Path file = Files.createFile(dir.resolve("restored"));
        long[][] pieces = {{24 << 20, 16 << 20}, {0, 12 << 20}, {12 << 20, 12 << 20}};
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            for (long[] piece : pieces) {
                writePiece(channel, expected, (int) piece[0], (int) piece[1]);
            }
        }

        assertThat(Files.size(file)).as("the trailing zeros still make the file's length").isEqualTo(expected.length);
        assertThat(Arrays.equals(Files.readAllBytes(file), expected)).isTrue();
        long allocated = allocatedBytes(file);
        assertThat(allocated).as("two copies of the data, one block of text and the last byte take disk; the zeros do not")
                .isLessThan((6 << 20) + (64 << 10)).isGreaterThanOrEqualTo(6 << 20);
    }

    @Test
    void aFileOfDataIsWrittenWhole() throws Exception {
        byte[] expected = new byte[(1 << 20) + 123];
        new Random(3).nextBytes(expected);
        Path file = Files.createFile(dir.resolve("dense"));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            writePiece(channel, expected, 0, expected.length);
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(expected);
    }

    private static void writePiece(FileChannel channel, byte[] content, int offset, int length) throws IOException {
        HoleWriter writer = new HoleWriter(channel, offset);
        byte[] buffer = new byte[(1 << 20) + 777];
        for (int at = offset; at < offset + length; ) {
            int n = Math.min(buffer.length, offset + length - at);
            System.arraycopy(content, at, buffer, 0, n);
            writer.write(buffer, n);
            at += n;
        }
        writer.finish();
    }

    /** What the file takes on disk, as {@code stat} reports it (512-byte blocks). */
    private static long allocatedBytes(Path file) throws Exception {
        Process stat = new ProcessBuilder("stat", "-c", "%b", file.toString()).start();
        String blocks = new String(stat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertThat(stat.waitFor()).isZero();
        return Long.parseLong(blocks) * 512;
    }
}
