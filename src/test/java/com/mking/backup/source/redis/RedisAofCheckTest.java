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

    @Test
    void bytesThatAreNotRespFailEvenInTheLiveIncrement() throws Exception {
        for (int position : List.of(0, 5, 40, 300, AOF.length - 2)) {
            byte[] damaged = AOF.clone();
            damaged[position] = (byte) (damaged[position] ^ 0x11);
            assertThat(check(damaged, "live")).as("byte " + position + " changed").isEqualTo(1);
        }
    }

    private static int check(byte[] aof, String which) throws Exception {
        Process process = new ProcessBuilder("sh", "-c", RedisSource.AOF_CHECK, "check-aof", "redis-check-aof", which)
                .redirectErrorStream(true).start();
        try (var stdin = process.getOutputStream()) {
            stdin.write(aof);
        }
        process.getInputStream().readAllBytes();
        return process.waitFor();
    }
}
