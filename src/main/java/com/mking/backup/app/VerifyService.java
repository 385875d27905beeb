package com.mking.backup.app;

import com.mking.backup.audit.Catalog;
import com.mking.backup.route.VerifyRoutes;
import com.mking.backup.verify.Sampling;
import com.mking.backup.verify.Verifier;
import org.apache.camel.ProducerTemplate;

import java.util.List;

/**
 * Re-reads stored copies (decrypt, both SHA-256s, the format's own check) through the {@code verify-backup} route, so
 * every result lands in {@code backup_verifications} and a failure alerts. Used by {@code mking-backup verify}; a route
 * file sends header {@value VerifyRoutes#BACKUP_ID} to {@code direct:verify-backup}.
 */
public final class VerifyService {

    private final Catalog catalog;
    private final ProducerTemplate producer;

    public VerifyService(Catalog catalog, ProducerTemplate producer) {
        this.catalog = catalog;
        this.producer = producer;
    }

    /** Every copy of {@code backupId}, one result each; an unknown id is an {@link IllegalArgumentException} with the fix. */
    public List<Verifier.CopyResult> verify(String backupId) {
        return verify(backupId, false);
    }

    /** As {@link #verify(String)}; {@code readAll}: a snapshot's packs and files are all decoded, not sampled. */
    public List<Verifier.CopyResult> verify(String backupId, boolean readAll) {
        if (catalog.find(backupId).isEmpty()) {
            throw new IllegalArgumentException("no backup " + backupId + " in the catalog ('mking-backup list' shows "
                    + "the backups; after losing the audit database: 'mking-backup catalog-rebuild')");
        }
        List<?> results = producer.requestBodyAndHeaders(VerifyRoutes.VERIFY, null, java.util.Map.of(VerifyRoutes.BACKUP_ID,
                backupId, VerifyRoutes.READ_ALL, readAll), List.class);
        return results == null ? List.of() : results.stream().map(Verifier.CopyResult.class::cast).toList();
    }

    /**
     * The successful backups a sampled pass verifies: {@code percent} of them, least recently verified first, so that
     * daily passes read every copy within 100/percent days.
     */
    public List<String> sample(int percent) {
        if (percent < 1 || percent > 100) {
            throw new IllegalArgumentException("the sample must be 1 to 100 percent");
        }
        return Sampling.pick(catalog.list(null, null, "success", 1_000_000), percent);
    }
}
