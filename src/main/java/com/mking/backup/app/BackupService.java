package com.mking.backup.app;

import com.mking.backup.job.BackupRun;
import com.mking.backup.job.BackupRunner;
import com.mking.backup.job.JobCatalog;
import com.mking.backup.route.BackupRoutes;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one backup of one job now and returns how it went (the {@code backup-run} route does the work, so a run started
 * here is audited, alerted and verified exactly like a scheduled one). Used by {@code mking-backup run}; a route file
 * sends header {@value BackupRunner#JOB_HEADER} to {@code direct:backup-run} itself.
 */
public final class BackupService {

    private final JobCatalog jobs;
    private final ProducerTemplate producer;

    public BackupService(JobCatalog jobs, ProducerTemplate producer) {
        this.jobs = jobs;
        this.producer = producer;
    }

    /**
     * Backs up {@code job} (an unknown job is an {@link IllegalArgumentException} naming the known ones); {@code progress}
     * counts the raw bytes read. The run's status says success, failure or skipped; an exception means it could not
     * even start.
     */
    public BackupRun run(String job, String trigger, AtomicLong progress) throws IOException {
        String name = jobs.job(job).name();
        Exchange exchange = producer.send(BackupRoutes.RUN, e -> {
            e.getMessage().setHeader(BackupRunner.JOB_HEADER, name);
            e.getMessage().setHeader(BackupRunner.TRIGGER_HEADER, trigger);
            e.getMessage().setHeader(BackupRunner.PROGRESS_HEADER, progress);
        });
        BackupRun run = exchange.getProperty(BackupRunner.RUN, BackupRun.class);
        if (run == null) {
            throw new IOException(BackupRunner.describe(exchange.getException()));
        }
        return run;
    }
}
