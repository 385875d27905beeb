package com.mking.backup.observe;

import com.mking.backup.audit.JobStats;
import com.mking.backup.job.JobCatalog;
import com.mking.backup.job.JobSpec;
import com.mking.backup.pipeline.StageTotals;
import com.mking.backup.store.MeteredStore;
import com.mking.backup.store.StoreRegistry;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * Prometheus series per job, read from a snapshot of the audit tables that {@link #refresh()} renews
 * (the daemon does it every minute and after each run): last success time, last duration and size,
 * successful and failed runs, verification failures, and the WAL archive's RPO lag where known; and per store
 * the objects and bytes read and the bytes written since start-up; per pipeline stage the bytes it took and the time
 * spent in it.
 */
public final class JobMetrics implements MeterBinder {

    private final JobCatalog jobs;
    private final JobStats stats;
    private final Map<String, JobStats.Stats> snapshot = new ConcurrentHashMap<>();
    private final Map<String, Double> rpoLag = new ConcurrentHashMap<>();

    private final com.mking.backup.alert.AlertDispatcher alerts;
    private final StoreRegistry stores;
    private final StageTotals stages;

    public JobMetrics(JobCatalog jobs, JobStats stats, com.mking.backup.alert.AlertDispatcher alerts, StoreRegistry stores,
                      StageTotals stages) {
        this.stores = stores;
        this.stages = stages;
        this.jobs = jobs;
        this.stats = stats;
        this.alerts = alerts;
    }

    public void refresh() {
        snapshot.putAll(stats.all());
    }

    public void rpoLag(String job, long seconds) {
        rpoLag.put(job, (double) seconds);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        refresh();
        for (String channel : java.util.List.of("direct:alert-mail", "direct:alert-slack")) {
            FunctionCounter.builder("mking_alert_channel_failures", alerts,
                            a -> a.failures().getOrDefault(channel + "?block=false", 0L))
                    .description("alerts a channel failed to deliver").tag("channel", channel.substring("direct:".length()))
                    .register(registry);
        }
        for (String name : stores.names()) {
            MeteredStore store = stores.metered(name);
            FunctionCounter.builder("mking_store_reads", store, MeteredStore::reads)
                    .description("objects opened for reading").tag("store", name).register(registry);
            FunctionCounter.builder("mking_store_read_bytes", store, MeteredStore::bytesRead)
                    .description("bytes read from the store").tag("store", name).register(registry);
            FunctionCounter.builder("mking_store_written_bytes", store, MeteredStore::bytesWritten)
                    .description("bytes written to the store").tag("store", name).register(registry);
        }
        for (String stage : StageTotals.STAGES) {
            FunctionCounter.builder("mking_pipeline_stage_bytes", stages, totals -> totals.bytes(stage))
                    .description("bytes that entered the backup pipeline's stage").tag("stage", stage).register(registry);
            FunctionCounter.builder("mking_pipeline_stage_seconds", stages, totals -> totals.seconds(stage))
                    .description("time spent in the backup pipeline's stage alone").tag("stage", stage).register(registry);
        }
        for (JobSpec job : jobs.jobs()) {
            String name = job.name();
            gauge(registry, "mking_job_last_success_timestamp_seconds", name,
                    s -> s.lastSuccess() == null ? Double.NaN : s.lastSuccess().toEpochSecond(ZoneOffset.UTC));
            gauge(registry, "mking_job_last_duration_seconds", name,
                    s -> s.lastDurationSeconds() == null ? Double.NaN : s.lastDurationSeconds());
            gauge(registry, "mking_job_last_size_bytes", name, s -> s.lastSizeBytes() == null ? Double.NaN : s.lastSizeBytes());
            gauge(registry, "mking_job_verification_failures", name, JobStats.Stats::verificationFailures);
            FunctionCounter.builder("mking_job_runs", snapshot, m -> count(m, name, JobStats.Stats::successes))
                    .description("backup runs of the job by outcome").tags("job", name, "status", "success").register(registry);
            FunctionCounter.builder("mking_job_runs", snapshot, m -> count(m, name, JobStats.Stats::failures))
                    .description("backup runs of the job by outcome").tags("job", name, "status", "failed").register(registry);
            if (jobs.capability(job, com.mking.backup.source.ContinuousArchive.class).isPresent()) {
                Gauge.builder("mking_wal_rpo_lag_seconds", rpoLag, m -> m.getOrDefault(name, Double.NaN))
                        .tag("job", name).register(registry);
            }
        }
    }

    private void gauge(MeterRegistry registry, String metric, String job, ToDoubleFunction<JobStats.Stats> value) {
        Gauge.builder(metric, snapshot, m -> value(m, job, value)).tag("job", job).register(registry);
    }

    private static double count(Map<String, JobStats.Stats> snapshot, String job, ToDoubleFunction<JobStats.Stats> value) {
        JobStats.Stats stats = snapshot.get(job);
        return stats == null ? 0 : value.applyAsDouble(stats);
    }

    private static double value(Map<String, JobStats.Stats> snapshot, String job, ToDoubleFunction<JobStats.Stats> value) {
        JobStats.Stats stats = snapshot.get(job);
        return stats == null ? Double.NaN : value.applyAsDouble(stats);
    }
}
