package com.mking.backup.audit;

import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;

import static org.assertj.core.api.Assertions.assertThat;

class AuditTimesTest {

    /** A cron run starts at :00: LocalDateTime.toString() would print "2026-11-29 12:53" for it. */
    @Test
    void aTimeIsShownWithItsSecondsEvenAtZero() {
        assertThat(AuditTimes.shown(LocalDateTime.of(2026, 11, 29, 12, 53, 0, 120_000_000))).isEqualTo("2026-11-29 12:53:00");
        assertThat(AuditTimes.shown(LocalDateTime.of(2026, 11, 29, 12, 53, 7))).isEqualTo("2026-11-29 12:53:07");
    }
}
