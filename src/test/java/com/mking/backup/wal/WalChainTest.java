package com.mking.backup.wal;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class WalChainTest {

    private static final long SIZE = 16L * 1024 * 1024;

    @Test
    void namesAndLsnArithmeticFollowPostgres() {
        WalNames.Segment segment = WalNames.segmentOf("1/FF000028", 1, SIZE);
        assertThat(segment.name(SIZE)).isEqualTo("0000000100000001000000FF");
        assertThat(segment.next().name(SIZE)).isEqualTo("000000010000000200000000");
        assertThat(WalNames.parse("000000010000000200000000", SIZE).orElseThrow()).isEqualTo(segment.next());
        assertThat(WalNames.isArchivable("000000010000000000000003.00000028.backup")).isTrue();
        assertThat(WalNames.isArchivable("00000002.history")).isTrue();
        assertThat(WalNames.isArchivable("../etc/passwd")).isFalse();
    }

    @Test
    void aCompleteChainCrossingALogBoundary() {
        Set<String> archived = Set.of("0000000100000001000000FE", "0000000100000001000000FF", "000000010000000200000000");
        WalChain.Result result = WalChain.verify(archived, WalNames.parse("0000000100000001000000FE", SIZE).orElseThrow(), SIZE);
        assertThat(result.complete()).isTrue();
        assertThat(result.segments()).isEqualTo(3);
        assertThat(result.newest()).isEqualTo("000000010000000200000000");
    }

    @Test
    void aGapNamesTheFirstMissingSegment() {
        Set<String> archived = Set.of("000000010000000000000002", "000000010000000000000004");
        WalChain.Result result = WalChain.verify(archived, WalNames.parse("000000010000000000000002", SIZE).orElseThrow(), SIZE);
        assertThat(result.missing()).contains("000000010000000000000003");
    }

    @Test
    void aTimelineSwitchIsFollowed() {
        Set<String> archived = Set.of("000000010000000000000002", "000000010000000000000003.partial", "00000002.history",
                "000000020000000000000003", "000000020000000000000004");
        WalChain.Result result = WalChain.verify(archived, WalNames.parse("000000010000000000000002", SIZE).orElseThrow(), SIZE);
        assertThat(result.complete()).isTrue();
        assertThat(result.newest()).isEqualTo("000000020000000000000004");
    }

    @Test
    void pruningKeepsEverythingFromTheOldestKeptBaseBackupAndHistoryFiles() {
        Set<String> archived = Set.of("000000010000000000000001", "000000010000000000000002.00000028.backup",
                "000000010000000000000002", "000000010000000000000005", "00000002.history");
        assertThat(WalChain.prunable(archived, WalNames.parse("000000010000000000000005", SIZE).orElseThrow(), SIZE))
                .containsExactlyInAnyOrder("000000010000000000000001", "000000010000000000000002.00000028.backup",
                        "000000010000000000000002");
    }
}
