package com.mking.backup.app;

import com.mking.backup.job.BackupRunner;
import com.mking.backup.job.JobSpec;
import com.mking.backup.restore.RestoreTask;
import com.mking.backup.restore.Restorer;
import com.mking.backup.route.RestoreRoutes;
import com.mking.backup.source.RestoreRequest;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

import java.io.IOException;
import java.time.Clock;

/**
 * Restores one backup: every operator mistake (unknown backup or store, occupied target) is refused before anything
 * starts, as an {@link IllegalArgumentException} with the fix; then the {@code restore} route runs it (audited in
 * {@code restore_tasks}, alerted on failure). Used by {@code mking-backup restore}; a route file uses
 * {@code direct:restore-request} with headers.
 */
public final class RestoreService {

    private final Restorer restorer;
    private final ProducerTemplate producer;
    private final Clock clock;

    public RestoreService(Restorer restorer, ProducerTemplate producer, Clock clock) {
        this.restorer = restorer;
        this.producer = producer;
        this.clock = clock;
    }

    /** The checks a restore passes before it starts; returns the job it will restore with (the target server's). */
    public JobSpec check(RestoreRequest request) throws IOException {
        return restorer.preflight(request).getValue();
    }

    /** How a restore ended: the task (what was reached, duration, size) and, when it failed, why. */
    public record Outcome(RestoreTask task, boolean succeeded, String error) {
    }

    /**
     * Runs a restore that passed {@link #check}. The task's {@link RestoreTask#progress()} counts bytes as they are
     * restored.
     */
    public Outcome restore(RestoreTask task) {
        Exchange exchange = producer.send(RestoreRoutes.RESTORE, e -> e.setProperty(Restorer.TASK, task));
        if (task.succeeded()) {
            return new Outcome(task, true, null);
        }
        return new Outcome(task, false, task.error() != null ? task.error() : BackupRunner.describe(exchange.getException()));
    }

    /** A new task for {@code request}, started now. */
    public RestoreTask task(RestoreRequest request) {
        return new RestoreTask(request, clock.instant());
    }
}
