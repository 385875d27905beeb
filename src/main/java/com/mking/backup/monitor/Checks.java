package com.mking.backup.monitor;

import com.mking.backup.alert.Alert;
import com.mking.backup.audit.CatalogEntry;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The monitoring decisions, as pure functions of (facts, clock, thresholds): each returns the alert to
 * raise, or empty when the condition is clear. Tested without Camel or servers.
 */
public final class Checks {

    private Checks() {
    }

    /**
     * No successful backup of the job inside its window (the plan: 25 h). A job that never succeeded is
     * measured from when it was configured, so a new job is not stale before its first window ends.
     */
    public static Optional<Alert> staleness(String job, Optional<Instant> lastSuccess, Optional<Instant> configuredAt,
                                            Instant now, Duration window) {
        Optional<Instant> reference = lastSuccess.isPresent() ? lastSuccess : configuredAt;
        if (reference.isPresent() && !reference.get().plus(window).isBefore(now)) {
            return Optional.empty();
        }
        String detail = lastSuccess.map(t -> "last success " + t + ", " + Duration.between(t, now).toHours() + " h ago")
                .orElse("no successful backup on record") + "; window " + window.toHours() + " h";
        return Optional.of(new Alert("stale:" + job, Alert.Level.DANGER, "job " + job + " has no recent successful backup", detail));
    }

    /** Store usage against the plan's thresholds (warning 80 %, critical 90 %); unknown capacity never alerts. */
    public static Optional<Alert> storage(String store, long used, long total, int warningPercent, int criticalPercent) {
        if (total <= 0) {
            return Optional.empty();
        }
        double percent = 100.0 * used / total;
        Alert.Level level = percent >= criticalPercent ? Alert.Level.DANGER : percent >= warningPercent ? Alert.Level.WARNING : null;
        if (level == null) {
            return Optional.empty();
        }
        return Optional.of(new Alert("storage:" + store, level, "store " + store + " is " + Math.round(percent) + " % full",
                String.format("%d of %d bytes used (warning at %d %%, critical at %d %%)", used, total, warningPercent,
                        criticalPercent)));
    }

    /**
     * A job's newest backup stored more than half of the largest object a store takes (its largest artefact can be no
     * larger): said while there is time to raise the limit, not when a backup outgrows it at night.
     */
    public static Optional<Alert> objectLimit(String job, String store, long newestStoredBytes, long largestObject) {
        if (newestStoredBytes * 2 <= largestObject) {
            return Optional.empty();
        }
        return Optional.of(new Alert("object-limit:" + job + ":" + store, Alert.Level.WARNING, "job " + job
                + "'s backups near the largest object store " + store + " takes", String.format("the newest stored %s; "
                + "the store takes objects up to %s: raise mking.store.%s.part-size-mib before a backup outgrows it "
                + "(it would then fail)", com.mking.backup.report.Bytes.human(newestStoredBytes),
                com.mking.backup.report.Bytes.human(largestObject), store)));
    }

    /**
     * The newest successful backup of a job has copies whose latest verification failed: a warning while another copy
     * is good (restores read that one), danger when none is. Stays open until a newer backup verifies or the copy does.
     */
    public static Optional<Alert> damaged(String job, CatalogEntry newest) {
        List<String> bad = newest.copies().stream().filter(CatalogEntry.Copy::failedVerification)
                .map(CatalogEntry.Copy::store).toList();
        if (bad.isEmpty()) {
            return Optional.empty();
        }
        List<String> good = newest.copies().stream().filter(copy -> !copy.failedVerification())
                .map(CatalogEntry.Copy::store).toList();
        // the words list uses: degraded while a good copy is left, damaged when none is
        String detail = (bad.size() == 1 ? "its copy in " + bad.get(0) : "its copies in " + and(bad))
                + " failed verification ('mking-backup verify " + newest.backupId() + "' says why); "
                + (good.isEmpty() ? "no copy is good: run the job again now"
                : "restores read the copy in " + and(good) + "; the next backup that verifies clears this");
        return Optional.of(new Alert("damaged:" + job, good.isEmpty() ? Alert.Level.DANGER : Alert.Level.WARNING,
                "the newest backup of job " + job + " (" + newest.backupId() + ") is " + (good.isEmpty() ? "damaged" : "degraded"),
                detail));
    }

    private static String and(List<String> names) {
        return names.size() == 1 ? names.get(0)
                : String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }

    /** Fewer restorable copies of a job in a store than the policy wants (the plan: 7 full backups in MinIO). */
    public static Optional<Alert> copyCount(String job, String store, int count, int minimum) {
        if (minimum <= 0 || count >= minimum) {
            return Optional.empty();
        }
        return Optional.of(new Alert("copies:" + job + ":" + store, Alert.Level.WARNING,
                "job " + job + " has " + count + " restorable backups in store " + store,
                "the policy wants at least " + minimum));
    }

    /** A host resource (the plan: CPU > 80 %, memory > 85 %, disk > 85 %) above its limit. */
    public static Optional<Alert> resource(String resource, double percent, double limitPercent) {
        if (Double.isNaN(percent) || percent <= limitPercent) {
            return Optional.empty();
        }
        return Optional.of(new Alert("system:" + resource, Alert.Level.WARNING,
                String.format("%s use is %.0f %%", resource, percent), String.format("limit %.0f %%", limitPercent)));
    }

    /** Percent of memory in use, given the total and what the kernel says is available (free plus reclaimable cache). */
    public static double memoryInUse(long total, long available) {
        return total <= 0 ? Double.NaN : 100.0 * (total - available) / total;
    }

    /** A source database or a configured service that does not answer. */
    public static Optional<Alert> unreachable(String condition, String what, Optional<String> failure) {
        return failure.map(reason -> new Alert(condition, Alert.Level.DANGER, what + " is unreachable", reason));
    }

    /** Snapshots after a sharp drop that keep its alert up while the tree stays small (a week of daily runs). */
    public static final int SHRINK_HELD_RUNS = 7;

    /**
     * A snapshot of a job holds less than half the median of the runs before it (up to 7), in files or in bytes: the
     * early sign of a mass deletion or ransomware (seed §2.3.1's uploads). Judged for the newest snapshot and, so that
     * the alert does not clear itself once the small tree has become the recent median, for each of the
     * {@value #SHRINK_HELD_RUNS} before it, as long as the newest is still below half of what the tree held before that
     * drop. Needs at least 3 runs before the drop; sizes are newest first (up to {@value #SHRINK_HELD_RUNS} + 7).
     */
    public static Optional<Alert> shrinkage(String job, List<com.mking.backup.audit.Catalog.SourceSize> newestFirst) {
        com.mking.backup.audit.Catalog.SourceSize latest = newestFirst.isEmpty() ? null : newestFirst.get(0);
        for (int drop = 0; drop <= SHRINK_HELD_RUNS && drop + 4 <= newestFirst.size(); drop++) {
            com.mking.backup.audit.Catalog.SourceSize dropped = newestFirst.get(drop);
            List<com.mking.backup.audit.Catalog.SourceSize> before = newestFirst.subList(drop + 1,
                    Math.min(drop + 8, newestFirst.size()));
            long files = median(before.stream().mapToLong(com.mking.backup.audit.Catalog.SourceSize::files).toArray());
            long bytes = median(before.stream().mapToLong(com.mking.backup.audit.Catalog.SourceSize::bytes).toArray());
            // where the drop happened: this run below half, the one before it not (later small runs are not drops)
            boolean shrank = (dropped.files() * 2 < files || dropped.bytes() * 2 < bytes)
                    && before.get(0).files() * 2 >= files && before.get(0).bytes() * 2 >= bytes;
            boolean stillSmall = latest.files() * 2 < files || latest.bytes() * 2 < bytes;
            if (shrank && stillSmall) {
                String since = drop == 0 ? "" : String.format(" (and the %d backups since, up to %s with %d files, %d bytes)",
                        drop, latest.backupId(), latest.files(), latest.bytes());
                return Optional.of(new Alert("shrink:" + job, Alert.Level.DANGER, "job " + job + ": the newest backup "
                        + "holds far less than before (mass deletion or ransomware?)", String.format("backup %s holds %d "
                        + "files, %d bytes%s; the median of the %d runs before it is %d files, %d bytes. Older snapshots "
                        + "still hold the files: check the source before retention prunes them", dropped.backupId(),
                        dropped.files(), dropped.bytes(), since, before.size(), files, bytes)));
            }
        }
        return Optional.empty();
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
