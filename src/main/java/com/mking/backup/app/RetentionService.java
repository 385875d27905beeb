package com.mking.backup.app;

import com.mking.backup.job.JobCatalog;
import com.mking.backup.job.JobSpec;
import com.mking.backup.retention.Pruner;
import com.mking.backup.retention.RetentionPolicy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Applies the jobs' retention rules (or shows, in a dry run, what they would delete and which rule keeps the rest).
 * Used by {@code mking-backup prune} and the daily retention route.
 */
public final class RetentionService {

    /** One job's decision in one store, with the rules that made it. */
    public record StoreDecision(String job, String store, RetentionPolicy.Rules rules, RetentionPolicy.Decision decision) {
    }

    private final JobCatalog jobs;
    private final Pruner pruner;

    public RetentionService(JobCatalog jobs, Pruner pruner) {
        this.jobs = jobs;
        this.pruner = pruner;
    }

    /** Prunes {@code job} (null: every job); an unknown job is an {@link IllegalArgumentException} naming the known ones. */
    public List<StoreDecision> prune(String job, boolean dryRun) throws IOException {
        List<JobSpec> selected = job == null ? jobs.jobs() : List.of(jobs.job(job));
        List<StoreDecision> decisions = new ArrayList<>();
        for (JobSpec spec : selected) {
            for (Map.Entry<String, RetentionPolicy.Decision> perStore : pruner.prune(spec, dryRun).entrySet()) {
                decisions.add(new StoreDecision(spec.name(), perStore.getKey(), pruner.rules(spec, perStore.getKey()),
                        perStore.getValue()));
            }
        }
        return decisions;
    }
}
