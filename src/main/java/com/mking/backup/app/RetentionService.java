package com.mking.backup.app;

import com.mking.backup.audit.AdvisoryLocks;
import com.mking.backup.job.JobCatalog;
import com.mking.backup.job.JobSpec;
import com.mking.backup.retention.Pruner;
import com.mking.backup.retention.RetentionPolicy;

import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Applies the jobs' retention rules (or shows, in a dry run, what they would delete and which rule keeps the rest).
 * Each job is pruned under its job lock, so never while it backs up; a job that fails does not stop the others. Used by
 * {@code mking-backup prune} and the weekly retention route.
 */
public final class RetentionService {

    /**
     * One job's decision in one store, with the rules that made it; {@code sweep}: for a source whose backups share data
     * (files snapshots), what no kept backup references any more (null for other sources).
     */
    public record StoreDecision(String job, String store, RetentionPolicy.Rules rules, RetentionPolicy.Decision decision,
                                com.mking.backup.source.SharedData.Sweep sweep) {
    }

    /** What a prune did: the decisions, and per job that could not be pruned, why. */
    public record Result(List<StoreDecision> decisions, Map<String, String> failures) {

        /** The failures in one line, for an alert or the CLI. */
        public String failureText() {
            List<String> lines = new ArrayList<>();
            failures.forEach((job, reason) -> lines.add("job " + job + ": " + reason));
            return String.join("; ", lines);
        }
    }

    private final JobCatalog jobs;
    private final Pruner pruner;
    private final AdvisoryLocks locks;
    private final com.mking.backup.source.SourceRegistry sources;
    private final com.mking.backup.store.StoreRegistry stores;

    public RetentionService(JobCatalog jobs, Pruner pruner, AdvisoryLocks locks, com.mking.backup.source.SourceRegistry sources,
                            com.mking.backup.store.StoreRegistry stores) {
        this.jobs = jobs;
        this.pruner = pruner;
        this.locks = locks;
        this.sources = sources;
        this.stores = stores;
    }

    /** Prunes {@code job} (null: every job); an unknown job is an {@link IllegalArgumentException} naming the known ones. */
    public Result prune(String job, boolean dryRun) {
        List<JobSpec> selected = job == null ? jobs.jobs() : List.of(jobs.job(job));
        List<StoreDecision> decisions = new ArrayList<>();
        Map<String, String> failures = new LinkedHashMap<>();
        for (JobSpec spec : selected) {
            try (AdvisoryLocks.Lock lock = dryRun ? null : locks.tryLock(AdvisoryLocks.job(spec.name())).orElse(null)) {
                if (!dryRun && lock == null) {
                    failures.put(spec.name(), "it is backing up right now; it is pruned at the next run");
                    continue;
                }
                Optional<com.mking.backup.source.SharedData> shared = sources.get(spec.source())
                        .capability(com.mking.backup.source.SharedData.class);
                for (Map.Entry<String, RetentionPolicy.Decision> perStore : pruner.prune(spec, dryRun).entrySet()) {
                    // after the backups are gone (a dry run: as if they were), what none left references
                    com.mking.backup.source.SharedData.Sweep sweep = shared.isEmpty() || !stores.contains(perStore.getKey())
                            ? null : shared.get().sweep(spec, stores.get(perStore.getKey()), perStore.getValue().removed()
                            .stream().map(RetentionPolicy.Candidate::backupId).collect(java.util.stream.Collectors.toSet()), dryRun);
                    decisions.add(new StoreDecision(spec.name(), perStore.getKey(), pruner.rules(spec, perStore.getKey()),
                            perStore.getValue(), sweep));
                }
            } catch (IOException | SQLException | RuntimeException e) {
                failures.put(spec.name(), Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName()));
            }
        }
        return new Result(decisions, failures);
    }
}
