package com.mking.backup.retention;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class RetentionPolicyTest {

    /** Three years of daily backups at 02:00 UTC, from 2024-01-01 to 2026-12-31. */
    private static List<RetentionPolicy.Candidate> threeYears() {
        List<RetentionPolicy.Candidate> history = new ArrayList<>();
        Instant first = Instant.parse("2024-01-01T02:00:00Z");
        for (int day = 0; day < 1096; day++) {
            Instant time = first.plus(Duration.ofDays(day));
            history.add(new RetentionPolicy.Candidate(time.toString().substring(0, 10), time, false, true));
        }
        return history;
    }

    @Test
    void grandfatherFatherSonOverThreeYearsOfDailies() {
        RetentionPolicy.Decision decision = RetentionPolicy.decide(threeYears(), RetentionPolicy.Rules.defaults(), ZoneOffset.UTC);
        Set<String> kept = new TreeSet<>(decision.kept().keySet());
        Set<String> expected = new TreeSet<>();
        // daily: the last 30 days
        for (int day = 2; day <= 31; day++) {
            expected.add(String.format("2026-12-%02d", day));
        }
        // weekly: newest backup of each of the last 12 ISO weeks (Sundays; the current week ends Thursday 2026-12-31)
        expected.add("2026-12-31");
        for (String sunday : List.of("2026-12-27", "2026-12-20", "2026-12-13", "2026-12-06", "2026-11-29", "2026-11-22",
                "2026-11-15", "2026-11-08", "2026-11-01", "2026-10-25", "2026-10-18")) {
            expected.add(sunday);
        }
        // monthly: last day of each of the last 12 months; yearly: last day of each year
        for (int month = 1; month <= 12; month++) {
            expected.add(java.time.YearMonth.of(2026, month).atEndOfMonth().toString());
        }
        expected.addAll(List.of("2025-12-31", "2024-12-31"));
        assertThat(kept).isEqualTo(expected);
        assertThat(decision.removed()).hasSize(1096 - expected.size());
        assertThat(decision.kept().get("2026-12-31")).contains("daily 2026-12-31", "monthly 2026-12", "yearly 2026");
        assertThat(decision.kept().get("2024-12-31")).containsExactly("yearly 2024");
    }

    @Test
    void theNewestVerifiedBackupIsKeptEvenWhenNoRuleKeepsIt() {
        Instant old = Instant.parse("2020-01-01T02:00:00Z");
        List<RetentionPolicy.Candidate> history = List.of(
                new RetentionPolicy.Candidate("verified", old, false, true),
                new RetentionPolicy.Candidate("newer-unverified", old.plus(Duration.ofDays(1)), false, false));
        RetentionPolicy.Decision decision = RetentionPolicy.decide(history, new RetentionPolicy.Rules(1, 0, 0, 0, 0),
                ZoneOffset.UTC);
        assertThat(decision.kept()).containsKeys("newer-unverified", "verified");
        assertThat(decision.kept().get("verified")).containsExactly("newest verified");
    }

    @Test
    void aBackupThatFailedVerificationNeverCounts() {
        Instant day = Instant.parse("2026-11-25T02:00:00Z");
        List<RetentionPolicy.Candidate> history = List.of(
                new RetentionPolicy.Candidate("bad", day, true, false),
                new RetentionPolicy.Candidate("good", day.minus(Duration.ofHours(1)), false, true));
        RetentionPolicy.Decision decision = RetentionPolicy.decide(history, new RetentionPolicy.Rules(1, 1, 0, 0, 0),
                ZoneOffset.UTC);
        assertThat(decision.kept().get("good")).containsExactly("last 1", "daily 2026-11-25");
        // one failed check alone never deletes: nothing newer has verified yet
        assertThat(decision.kept().get("bad")).containsExactly("a copy failed verification, kept until a newer backup verifies");
        assertThat(decision.removed()).isEmpty();

        List<RetentionPolicy.Candidate> later = new java.util.ArrayList<>(history);
        later.add(new RetentionPolicy.Candidate("newer-good", day.plus(Duration.ofDays(1)), false, true));
        RetentionPolicy.Decision then = RetentionPolicy.decide(later, new RetentionPolicy.Rules(1, 1, 0, 0, 0), ZoneOffset.UTC);
        assertThat(then.kept()).containsOnlyKeys("newer-good");
        assertThat(then.removed()).extracting(RetentionPolicy.Candidate::backupId).containsExactlyInAnyOrder("bad", "good");
    }
}
