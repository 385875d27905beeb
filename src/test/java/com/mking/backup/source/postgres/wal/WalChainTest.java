package com.mking.backup.source.postgres.wal;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WalChainTest {

    private static final long SIZE = 16L * 1024 * 1024;
    private static final TimelineHistory TIMELINE_1 = TimelineHistory.first();

    @Test
    void namesAndLsnArithmeticFollowPostgres() {
        WalNames.Segment segment = WalNames.segmentOf("1/FF000028", 1, SIZE);
        assertThat(segment.name(SIZE)).isEqualTo("0000000100000001000000FF");
        assertThat(segment.next().name(SIZE)).isEqualTo("000000010000000200000000");
        assertThat(WalNames.parse("000000010000000200000000", SIZE).orElseThrow()).isEqualTo(segment.next());
        assertThat(WalNames.isArchivable("000000010000000000000003.00000028.backup")).isTrue();
        assertThat(WalNames.isArchivable("00000002.history")).isTrue();
        assertThat(WalNames.isArchivable("../etc/passwd")).isFalse();
        assertThat(Lsn.parse("1/FF000028").segment(SIZE)).isEqualTo(segment.number());
        assertThat(Lsn.parse("16/B374D848")).hasToString("16/B374D848");
    }

    @Test
    void aCompleteChainCrossingALogBoundary() {
        Set<String> archived = Set.of("0000000100000001000000FE", "0000000100000001000000FF", "000000010000000200000000");
        WalChain.Result result = WalChain.verify(archived, segment("0000000100000001000000FE"), SIZE, TIMELINE_1);
        assertThat(result.complete()).isTrue();
        assertThat(result.segments()).isEqualTo(3);
        assertThat(result.newest()).isEqualTo("000000010000000200000000");
        assertThat(result.files()).containsExactly("0000000100000001000000FE", "0000000100000001000000FF", "000000010000000200000000");
    }

    @Test
    void aGapNamesTheFirstMissingSegment() {
        Set<String> archived = Set.of("000000010000000000000002", "000000010000000000000004");
        WalChain.Result result = WalChain.verify(archived, segment("000000010000000000000002"), SIZE, TIMELINE_1);
        assertThat(result.missing()).contains("000000010000000000000003");
    }

    /**
     * Timeline 2 branched off timeline 1 in segment 5 while timeline 1 went on to segment 9: following 2,
     * segments 5.. come from 2; following 1, its own 5..9. Neither path has a gap.
     */
    @Test
    void aBranchIsFollowedAlongEachTimelinesHistoryWithoutAFalseGap() {
        TimelineHistory timeline2 = history(2, "1\t0/5000060\tno recovery target specified\n");
        Set<String> archived = Set.of("000000010000000000000003", "000000010000000000000004", "000000010000000000000005",
                "000000010000000000000006", "000000010000000000000007", "000000010000000000000008", "000000010000000000000009",
                "000000010000000000000005.partial", "00000002.history", "000000020000000000000005", "000000020000000000000006");
        WalChain.Result onTwo = WalChain.verify(archived, segment("000000010000000000000003"), SIZE, timeline2);
        assertThat(onTwo.complete()).as(String.valueOf(onTwo.missing())).isTrue();
        assertThat(onTwo.files()).containsExactly("000000010000000000000003", "000000010000000000000004",
                "000000020000000000000005", "000000020000000000000006");
        WalChain.Result onOne = WalChain.verify(archived, segment("000000010000000000000003"), SIZE, TIMELINE_1);
        assertThat(onOne.complete()).isTrue();
        assertThat(onOne.newest()).isEqualTo("000000010000000000000009");
        // a real gap on the new timeline is still one
        Set<String> gap = new java.util.TreeSet<>(archived);
        gap.remove("000000020000000000000005");
        assertThat(WalChain.verify(gap, segment("000000010000000000000003"), SIZE, timeline2).missing())
                .contains("000000020000000000000005");
    }

    @Test
    void timelineHistoriesTellWhichFileHoldsASegmentAndWhatABaseBackupReaches() {
        TimelineHistory three = history(3, "1\t0/5000060\tbefore 2026-11-27\n2\t0/8000028\tpromoted\n");
        assertThat(three.timelineOfSegment(4, SIZE)).isEqualTo(1);
        assertThat(three.timelineOfSegment(5, SIZE)).isEqualTo(2);
        assertThat(three.timelineOfSegment(8, SIZE)).isEqualTo(3);
        assertThat(three.contains(2)).isTrue();
        assertThat(three.beginOf(3)).isEqualTo(Lsn.parse("0/8000028"));
        assertThat(three.reachableFrom(1, Lsn.parse("0/3000028"))).isTrue();
        // a base backup taken on timeline 1 after timeline 2 branched off cannot reach 3
        assertThat(three.reachableFrom(1, Lsn.parse("0/6000028"))).isFalse();
        assertThat(three.reachableFrom(4, Lsn.parse("0/3000028"))).isFalse();
    }

    @Test
    void aHistoryFileThatDoesNotParseIsRefused() {
        assertThatThrownBy(() -> history(2, "garbage\n")).hasMessageContaining("line 1");
        assertThatThrownBy(() -> history(2, "3\t0/5000060\tparent after child\n")).hasMessageContaining("timelines must increase");
        assertThatThrownBy(() -> history(2, "# nothing\n")).hasMessageContaining("names no parent");
    }

    @Test
    void pruningKeepsEverythingFromTheOldestKeptBaseBackupAndHistoryFiles() {
        Set<String> archived = Set.of("000000010000000000000001", "000000010000000000000002.00000028.backup",
                "000000010000000000000002", "000000010000000000000005", "00000002.history");
        assertThat(WalChain.prunable(archived, segment("000000010000000000000005"), SIZE))
                .containsExactlyInAnyOrder("000000010000000000000001", "000000010000000000000002.00000028.backup",
                        "000000010000000000000002");
    }

    private static WalNames.Segment segment(String name) {
        return WalNames.parse(name, SIZE).orElseThrow();
    }

    private static TimelineHistory history(long timeline, String text) {
        return TimelineHistory.parse(timeline, text.getBytes(StandardCharsets.UTF_8));
    }
}
