package com.mking.backup.source.redis;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The AOF format check, run as the verification runs it: redis-check-aof on the artefact's bytes from stdin. */
class RedisAofCheckTest {

    private static final byte[] AOF = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n".repeat(50).getBytes(StandardCharsets.US_ASCII);

    @Test
    void aWholeAofPasses() throws Exception {
        assertThat(check(AOF, "closed")).isZero();
        assertThat(check(AOF, "live")).isZero();
    }

    /** The increment Redis was appending to may end mid-command; Redis drops that command when it loads the file. */
    @Test
    void onlyTheLiveIncrementMayEndInACommandCutShort() throws Exception {
        for (int cut = AOF.length - 30; cut < AOF.length; cut++) {
            byte[] truncated = Arrays.copyOf(AOF, cut);
            if (cut % 33 != 0) { // a cut on a command boundary is a whole file
                assertThat(check(truncated, "live")).as("cut at " + cut).isZero();
                assertThat(check(truncated, "closed")).as("cut at " + cut).isEqualTo(1);
            }
        }
    }

    /** A length made larger mid-file makes the tool run out of bytes too, but whole commands follow the damage. */
    @Test
    void aDamagedLengthIsNotMistakenForACutEnd() throws Exception {
        String text = new String(AOF, StandardCharsets.US_ASCII);
        byte[] damaged = (text.substring(0, 100) + text.substring(100).replaceFirst("\\$5\r\nvalue", "\\$2000\r\nvalue"))
                .getBytes(StandardCharsets.US_ASCII);
        assertThat(check(damaged, "live")).isEqualTo(1);
    }

    @Test
    void aMissingCheckToolFailsTheCheck() throws Exception {
        Process process = new ProcessBuilder("sh", "-c", RedisSource.AOF_CHECK, "check-aof", "/nonexistent/redis-check-aof",
                "live", System.getProperty("java.io.tmpdir")).redirectErrorStream(true).start();
        process.getOutputStream().close();
        process.getInputStream().readAllBytes();
        assertThat(process.waitFor()).isNotZero();
    }

    @Test
    void bytesThatAreNotRespFailEvenInTheLiveIncrement() throws Exception {
        for (int position : List.of(0, 5, 40, 300, AOF.length - 2)) {
            byte[] damaged = AOF.clone();
            damaged[position] = (byte) (damaged[position] ^ 0x11);
            assertThat(check(damaged, "live")).as("byte " + position + " changed").isEqualTo(1);
        }
    }

    private static final java.nio.file.Path TEMPORARY = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "mking-aof-check-test");

    @org.junit.jupiter.api.AfterAll
    static void nothingIsLeftBehind() throws Exception {
        try (var left = java.nio.file.Files.list(TEMPORARY)) {
            assertThat(left).as("temporary copies").isEmpty();
        }
    }

    private static int check(byte[] aof, String which) throws Exception {
        Process process = new ProcessBuilder("sh", "-c", RedisSource.AOF_CHECK, "check-aof", "redis-check-aof", which,
                TEMPORARY.toString()).redirectErrorStream(true).start();
        try (var stdin = process.getOutputStream()) {
            stdin.write(aof);
        }
        process.getInputStream().readAllBytes();
        return process.waitFor();
    }
}
