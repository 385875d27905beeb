package com.mking.backup.monitor;

import com.mking.backup.alert.Alert;

import java.time.Duration;
import java.time.Instant;
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

    /**
     * Whether a pg-physical job's server is set up to be protected: archiving on, archive_command sending to
     * this job (with the token when one is required), replication allowed for its role. Every problem found is
     * named with its fix; an archive_command the role may not read is a warning (the rest may still be right).
     */
    public static Optional<Alert> protection(String job, String server, String user, String archiveMode,
                                             Optional<String> archiveCommand, Optional<String> replicationProblem,
                                             boolean tokenRequired) {
        String expected = "archive_command = 'curl -fsS -H \"Expect:\"" + (tokenRequired ? " -H \"X-Mking-Token: TOKEN\"" : "")
                + " -T %p http://BACKUP_HOST:8080/wal/" + job + "/%f'";
        java.util.List<String> problems = new java.util.ArrayList<>();
        if (!"on".equals(archiveMode) && !"always".equals(archiveMode)) {
            problems.add("archive_mode is " + archiveMode + " on " + server + ". Fix: set archive_mode = on and " + expected
                    + " in its postgresql.conf, then restart the server (archive_mode takes effect only after a restart)");
        } else if (archiveCommand.isPresent() && !archiveCommand.get().contains("/wal/" + job + "/")) {
            problems.add("archive_command on " + server + " does not send WAL to this job ('" + archiveCommand.get()
                    + "'). Fix: " + expected + ", then reload");
        } else if (archiveCommand.isPresent() && tokenRequired && !archiveCommand.get().contains("X-Mking-Token")) {
            problems.add("archive_command on " + server + " sends no X-Mking-Token header, so every push is refused (403). Fix: "
                    + expected + " with the value of MKING_WAL_TOKEN, then reload");
        }
        replicationProblem.ifPresent(problem -> problems.add("no replication connection to " + server + " as " + user + " ("
                + problem + "). Fix: add 'host replication " + user + " BACKUP_HOST/32 scram-sha-256' to its pg_hba.conf and "
                + "reload, and ALTER ROLE " + user + " REPLICATION"));
        if (!problems.isEmpty()) {
            return Optional.of(new Alert("protection:" + job, Alert.Level.DANGER, "job " + job + " is not protected",
                    String.join("; ", problems)));
        }
        if (archiveCommand.isEmpty()) {
            return Optional.of(new Alert("protection:" + job, Alert.Level.WARNING, "job " + job + " may not be protected",
                    "role " + user + " may not read archive_command on " + server + ". Fix: GRANT pg_read_all_settings TO "
                            + user + ", so the setting can be checked"));
        }
        return Optional.empty();
    }

    /** A source database or a configured service that does not answer. */
    public static Optional<Alert> unreachable(String condition, String what, Optional<String> failure) {
        return failure.map(reason -> new Alert(condition, Alert.Level.DANGER, what + " is unreachable", reason));
    }
}
