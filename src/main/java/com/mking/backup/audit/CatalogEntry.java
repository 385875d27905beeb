package com.mking.backup.audit;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.LocalDateTime;
import java.util.List;

/** One backup as the catalog (the audit database) knows it; {@code list --json} prints these. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CatalogEntry(String backupId, String job, String source, String method, String status,
                           LocalDateTime startTime, LocalDateTime endTime, Integer durationSeconds, Long rawSize,
                           Long storedSize, String sha256, String rawSha256, String compression, String encryptionKeyId,
                           String verification, LocalDateTime verifiedAt, String error, List<Copy> copies) {

    /**
     * A stored copy: the store's name and where the data and manifest are; {@code failedVerification}: its latest
     * verification found it bad (another store's copy of the same backup may be good).
     */
    public record Copy(String store, String location, String dataKey, String manifestKey, long size, String sha256,
                       boolean failedVerification) {
    }

    /** When the catalog last saw this backup verified (the verification time), for rotating samples. */
    public LocalDateTime lastVerified() {
        return verifiedAt;
    }

    public List<String> storeNames() {
        return copies.stream().map(Copy::store).toList();
    }

    /**
     * Whether a stored copy is left whose latest verification did not fail: the backup can be restored from it (restores
     * pick it), so it counts for recovery, and for retention in that copy's store.
     */
    public boolean hasGoodCopy() {
        return copies.stream().anyMatch(copy -> !copy.failedVerification());
    }

    /** Whether one of the stored copies failed its latest verification (the backup is degraded or damaged). */
    public boolean hasFailedCopy() {
        return copies.stream().anyMatch(Copy::failedVerification);
    }

    /**
     * Whether this backup's copy in {@code store} failed its latest verification (catalog.sql: checks that could not
     * run say nothing against a copy; a failure recorded without naming a store counts against every copy).
     */
    public boolean failedIn(String store) {
        return copies.stream().anyMatch(copy -> copy.store().equals(store) && copy.failedVerification());
    }

    /**
     * The run's status, except for a successful one whose copies went bad or away: {@code degraded} when a copy failed
     * verification and another is good (restores read the good one), {@code damaged} when every copy left failed
     * (nothing restores it), {@code deleted} when no copy is left (retention or prune). What {@code list} and
     * {@code status} show.
     */
    public String state() {
        if (!"success".equals(status)) {
            return status;
        }
        if (copies.isEmpty()) {
            return "deleted";
        }
        if (!hasGoodCopy()) {
            return "damaged";
        }
        return hasFailedCopy() ? "degraded" : "success";
    }

    /** Whether {@code store} holds a copy of this backup that did not fail its latest verification. */
    public boolean goodIn(String store) {
        return copies.stream().anyMatch(copy -> copy.store().equals(store) && !copy.failedVerification());
    }
}
