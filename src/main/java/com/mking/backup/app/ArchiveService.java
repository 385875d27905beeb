package com.mking.backup.app;

import com.mking.backup.job.JobCatalog;
import com.mking.backup.job.JobSpec;
import com.mking.backup.source.ContinuousArchive;
import com.mking.backup.source.postgres.recovery.ArchiveVerifier;
import com.mking.backup.store.StoreRegistry;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a continuously archived job's archive in its stores as a recovery would use it (every timeline's chain from
 * the oldest kept base backup, each file read back). Used by {@code mking-backup wal-verify}.
 */
public final class ArchiveService {

    private final JobCatalog jobs;
    private final StoreRegistry stores;
    private final ArchiveVerifier verifier;

    public ArchiveService(JobCatalog jobs, StoreRegistry stores, ArchiveVerifier verifier) {
        this.jobs = jobs;
        this.stores = stores;
        this.verifier = verifier;
    }

    /**
     * One report per store ({@code fromStore}: only that one); {@code readFiles} false checks the chains by name only.
     * A job without a continuous archive, or an unknown store, is an {@link IllegalArgumentException} with the fix.
     */
    public Map<String, ArchiveVerifier.Report> verify(String job, String fromStore, boolean readFiles) throws IOException {
        JobSpec spec = jobs.jobWith(job, ContinuousArchive.class);
        List<String> storeNames = spec.stores();
        if (fromStore != null) {
            stores.get(fromStore); // an unknown store is named with the configured ones
            storeNames = List.of(fromStore);
        }
        Map<String, ArchiveVerifier.Report> reports = new LinkedHashMap<>();
        for (String store : storeNames) {
            reports.put(store, verifier.verify(job, store, readFiles));
        }
        return reports;
    }
}
