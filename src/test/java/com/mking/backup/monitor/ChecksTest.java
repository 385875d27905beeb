package com.mking.backup.monitor;

import com.mking.backup.alert.Alert;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ChecksTest {

    private final Instant now = Instant.parse("2026-11-25T09:00:00Z");

    @Test
    void aJobIsStaleOnlyAfterItsWindow() {
        Duration window = Duration.ofHours(25);
        Optional<Instant> configured = Optional.of(now.minus(Duration.ofDays(30)));
        assertThat(Checks.staleness("db", Optional.of(now.minus(Duration.ofHours(24))), configured, now, window)).isEmpty();
        Optional<Alert> stale = Checks.staleness("db", Optional.of(now.minus(Duration.ofHours(26))), configured, now, window);
        assertThat(stale).isPresent();
        assertThat(stale.get().condition()).isEqualTo("stale:db");
        assertThat(stale.get().detail()).contains("26 h ago");
        assertThat(Checks.staleness("db", Optional.empty(), configured, now, window).get().detail()).contains("no successful backup");
        assertThat(Checks.staleness("db", Optional.empty(), Optional.of(now.minus(Duration.ofHours(2))), now, window))
                .as("a new job is not stale before its first window ends").isEmpty();
    }

    @Test
    void storageThresholdsFollowThePlan() {
        assertThat(Checks.storage("local", 79, 100, 80, 90)).isEmpty();
        assertThat(Checks.storage("local", 80, 100, 80, 90).get().level()).isEqualTo(Alert.Level.WARNING);
        assertThat(Checks.storage("local", 90, 100, 80, 90).get().level()).isEqualTo(Alert.Level.DANGER);
        assertThat(Checks.storage("minio", 10_000, 0, 80, 90)).as("unknown capacity never alerts").isEmpty();
    }

    @Test
    void tooFewCopiesInAStore() {
        assertThat(Checks.copyCount("db", "minio", 6, 7).get().subject()).contains("6 restorable backups in store minio");
        assertThat(Checks.copyCount("db", "minio", 7, 7)).isEmpty();
        assertThat(Checks.copyCount("db", "minio", 0, 0)).isEmpty();
    }

    @Test
    void backupsNearAStoresLargestObjectWarnAhead() {
        long largest = 10_000L * (16 << 20);
        assertThat(Checks.objectLimit("db", "minio", largest / 2, largest)).isEmpty();
        Alert near = Checks.objectLimit("db", "minio", largest / 2 + 1, largest).get();
        assertThat(near.level()).isEqualTo(Alert.Level.WARNING);
        assertThat(near.subject()).isEqualTo("job db's backups near the largest object store minio takes");
        assertThat(near.detail()).contains("the newest stored 78.1 GiB").contains("objects up to 156.3 GiB")
                .contains("raise mking.store.minio.part-size-mib");
    }

    @Test
    void hostResourcesAboveTheirLimits() {
        assertThat(Checks.resource("cpu", 79.5, 80)).isEmpty();
        assertThat(Checks.resource("memory", 90, 85).get().subject()).isEqualTo("memory use is 90 %");
        assertThat(Checks.resource("disk", Double.NaN, 85)).isEmpty();
    }

    @Test
    void theStalenessWindowFollowsTheCron() {
        var daily = new com.mking.backup.job.JobSpec("d", "pg-logical", "0 0 3 * * ?", java.util.List.of("local"),
                java.util.Map.of(), null);
        var weekly = new com.mking.backup.job.JobSpec("w", "pg-logical", "0 0 3 ? * SUN", java.util.List.of("local"),
                java.util.Map.of(), null);
        assertThat(MonitorRunner.window(daily)).isEqualTo(Duration.ofHours(25));
        assertThat(MonitorRunner.window(weekly)).isEqualTo(Duration.ofDays(7).plusHours(1));
    }

    @Test
    void memoryInUseCountsTheReclaimablePageCacheAsAvailable() {
        // the host of the report: 23 GiB in all, 0.7 GiB free, 21 GiB available (mostly page cache)
        long gib = 1L << 30;
        assertThat(Checks.memoryInUse(23 * gib, 21 * gib)).isCloseTo(8.7, org.assertj.core.data.Offset.offset(0.1));
        assertThat(Checks.resource("memory", Checks.memoryInUse(23 * gib, 21 * gib), 85)).isEmpty();
        assertThat(Checks.resource("memory", Checks.memoryInUse(23 * gib, 2 * gib), 85)).isPresent();
    }

    @Test
    void aSnapshotWithLessThanHalfTheRecentMedianIsAnAlarm() {
        java.util.List<com.mking.backup.audit.Catalog.SourceSize> steady = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            steady.add(new com.mking.backup.audit.Catalog.SourceSize("b" + i, 50_000 + i * 10, 8_000_000_000L + i));
        }
        java.util.List<com.mking.backup.audit.Catalog.SourceSize> withLatest = new java.util.ArrayList<>(steady);
        withLatest.add(0, new com.mking.backup.audit.Catalog.SourceSize("now", 24_000, 8_000_000_000L));
        Alert alert = Checks.shrinkage("uploads", withLatest).orElseThrow();
        assertThat(alert.level()).isEqualTo(Alert.Level.DANGER);
        assertThat(alert.detail()).contains("backup now holds 24000 files").contains("median of the 7 runs before it is 50030 files");
        // bytes alone dropping counts too (files encrypted in place and truncated)
        withLatest.set(0, new com.mking.backup.audit.Catalog.SourceSize("now", 50_000, 1_000_000_000L));
        assertThat(Checks.shrinkage("uploads", withLatest)).isPresent();
        // ordinary churn, and too short a history, are not
        withLatest.set(0, new com.mking.backup.audit.Catalog.SourceSize("now", 45_000, 7_000_000_000L));
        assertThat(Checks.shrinkage("uploads", withLatest)).isEmpty();
        assertThat(Checks.shrinkage("uploads", List.of(new com.mking.backup.audit.Catalog.SourceSize("now", 1, 1),
                steady.get(0), steady.get(1)))).isEmpty();
    }

    /** Four runs at the shrunk size made the small tree the recent median, and the alert cleared itself: not any more. */
    @Test
    void aDropStaysAnAlarmForAWeekOfRunsUnlessTheTreeComesBack() {
        java.util.List<com.mking.backup.audit.Catalog.SourceSize> sizes = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            sizes.add(0, new com.mking.backup.audit.Catalog.SourceSize("before" + i, 461, 900_000_000L));
        }
        for (int i = 0; i <= Checks.SHRINK_HELD_RUNS; i++) { // the drop, then a week of daily runs as small
            sizes.add(0, new com.mking.backup.audit.Catalog.SourceSize("after" + i, 92, 180_000_000L));
            Optional<Alert> alert = Checks.shrinkage("uploads", sizes);
            assertThat(alert).as("run %d after the drop", i).isPresent();
            assertThat(alert.get().detail()).contains("backup after0 holds 92 files").contains("median of the 7 runs before "
                    + "it is 461 files");
        }
        sizes.add(0, new com.mking.backup.audit.Catalog.SourceSize("later", 92, 180_000_000L));
        assertThat(Checks.shrinkage("uploads", sizes)).as("a week of runs at the new size later").isEmpty();
        // the files came back: clear at once
        java.util.List<com.mking.backup.audit.Catalog.SourceSize> restored = new java.util.ArrayList<>(sizes.subList(2, sizes.size()));
        restored.add(0, new com.mking.backup.audit.Catalog.SourceSize("restored", 460, 899_000_000L));
        assertThat(Checks.shrinkage("uploads", restored)).isEmpty();
    }

    @Test
    void aDamagedNewestBackupWarnsWhileAnotherCopyIsGoodAndIsDangerWhenNoneIs() {
        assertThat(Checks.damaged("db", newest(false, false))).isEmpty();
        Optional<Alert> oneBad = Checks.damaged("db", newest(true, false));
        assertThat(oneBad).hasValueSatisfying(alert -> {
            assertThat(alert.condition()).isEqualTo("damaged:db");
            assertThat(alert.level()).isEqualTo(Alert.Level.WARNING);
            assertThat(alert.subject()).isEqualTo("the newest backup of job db (b1) is degraded");
            assertThat(alert.detail()).isEqualTo("its copy in local failed verification ('mking-backup verify b1' says why); "
                    + "restores read the copy in minio; the next backup that verifies clears this");
        });
        assertThat(Checks.damaged("db", newest(true, true))).hasValueSatisfying(alert -> {
            assertThat(alert.level()).isEqualTo(Alert.Level.DANGER);
            assertThat(alert.subject()).endsWith("is damaged");
            assertThat(alert.detail()).contains("its copies in local and minio failed verification").endsWith("no copy is good: run the job again now");
        });
    }

    private static com.mking.backup.audit.CatalogEntry newest(boolean localBad, boolean minioBad) {
        return new com.mking.backup.audit.CatalogEntry("b1", "db", "pg-logical", "logical", "success", null, null, null, null,
                null, null, null, "zstd", null, localBad || minioBad ? "failed" : "passed", null, null, List.of(
                new com.mking.backup.audit.CatalogEntry.Copy("local", "/srv", "k", "m", 1, "ab", localBad),
                new com.mking.backup.audit.CatalogEntry.Copy("minio", "s3://b", "k", "m", 1, "ab", minioBad)));
    }
}
