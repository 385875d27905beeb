package com.mking.backup.retention;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Which backups survive (grandfather-father-son, as restic and borgmatic do it), as a pure function of
 * the history and the policy: the newest {@code last} backups; the newest backup of each of the newest
 * {@code daily} days, {@code weekly} ISO weeks, {@code monthly} months and {@code yearly} years that have
 * one. The history is one store's: a copy whose verification failed neither counts nor is kept by a rule, but it
 * is deleted only once a newer backup has verified: one failed check never leaves a job with nothing. The newest
 * verified backup is always kept, even when no rule keeps it. (Another store's copy of the same backup is judged
 * by its own verification.)
 */
public final class RetentionPolicy {

    /** How many of each to keep; 0 switches a rule off. Defaults follow the plan: 30 / 12 / 12 / 7. */
    public record Rules(int last, int daily, int weekly, int monthly, int yearly) {

        public static Rules defaults() {
            return new Rules(0, 30, 12, 12, 7);
        }
    }

    /** One backup as retention sees it. */
    public record Candidate(String backupId, Instant time, boolean verificationFailed, boolean verified) {
    }

    /** Survivors with the rules that keep each one (in rule order), and the backups to remove. */
    public record Decision(Map<String, List<String>> kept, List<Candidate> removed) {
    }

    private RetentionPolicy() {
    }

    public static Decision decide(List<Candidate> history, Rules rules, ZoneId zone) {
        List<Candidate> newestFirst = new ArrayList<>(history);
        newestFirst.sort(Comparator.comparing(Candidate::time).reversed());
        List<Candidate> countable = newestFirst.stream().filter(c -> !c.verificationFailed()).toList();
        Map<String, List<String>> kept = new LinkedHashMap<>();
        for (int i = 0; i < Math.min(rules.last(), countable.size()); i++) {
            keep(kept, countable.get(i), "last " + (i + 1));
        }
        bucket(kept, countable, rules.daily(), "daily", c -> day(c, zone).toString());
        bucket(kept, countable, rules.weekly(), "weekly", c -> {
            LocalDate day = day(c, zone);
            return day.get(IsoFields.WEEK_BASED_YEAR) + "-W" + String.format("%02d", day.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
        });
        bucket(kept, countable, rules.monthly(), "monthly", c -> day(c, zone).toString().substring(0, 7));
        bucket(kept, countable, rules.yearly(), "yearly", c -> day(c, zone).toString().substring(0, 4));
        countable.stream().filter(Candidate::verified).findFirst()
                .filter(newestVerified -> !kept.containsKey(newestVerified.backupId()))
                .ifPresent(newestVerified -> keep(kept, newestVerified, "newest verified"));
        // a failed verification alone never condemns a backup: it goes only once a newer backup has verified
        Optional<Instant> newestVerifiedTime = newestFirst.stream().filter(Candidate::verified).map(Candidate::time).findFirst();
        newestFirst.stream().filter(Candidate::verificationFailed)
                .filter(failed -> newestVerifiedTime.map(verified -> !verified.isAfter(failed.time())).orElse(true))
                .forEach(failed -> keep(kept, failed, "a copy failed verification, kept until a newer backup verifies"));
        List<Candidate> removed = newestFirst.stream().filter(c -> !kept.containsKey(c.backupId())).toList();
        return new Decision(kept, removed);
    }

    private static void bucket(Map<String, List<String>> kept, List<Candidate> newestFirst, int count, String rule,
                               Function<Candidate, String> key) {
        Set<String> seen = new LinkedHashSet<>();
        for (Candidate candidate : newestFirst) {
            if (seen.size() == count) {
                return;
            }
            String bucket = key.apply(candidate);
            if (seen.add(bucket)) {
                keep(kept, candidate, rule + " " + bucket);
            }
        }
    }

    private static void keep(Map<String, List<String>> kept, Candidate candidate, String reason) {
        kept.computeIfAbsent(candidate.backupId(), id -> new ArrayList<>()).add(reason);
    }

    private static LocalDate day(Candidate candidate, ZoneId zone) {
        return candidate.time().atZone(zone).toLocalDate();
    }
}
