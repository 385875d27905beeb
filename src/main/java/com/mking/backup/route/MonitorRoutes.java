package com.mking.backup.route;

import com.mking.backup.audit.AuditTimes;
import com.mking.backup.job.JobCatalog;
import com.mking.backup.job.JobSpec;
import com.mking.backup.monitor.MonitorRunner;
import com.mking.backup.observe.JobMetrics;
import com.mking.backup.source.postgres.wal.ArchiveMonitor;
import com.mking.backup.job.InterruptedRuns;
import org.apache.camel.builder.RouteBuilder;

import java.util.ArrayList;
import java.util.List;

/**
 * Scheduled checks of the daemon. {@code monitor-checks}: staleness, store usage and copy counts
 * ({@link MonitorRunner}). {@code wal-archive-lag}: every pg-physical job's RPO lag is measured,
 * stored in {@code wal_archive_status}, and alerts above {@code mking.wal.max-lag-seconds}.
 */
public final class MonitorRoutes extends RouteBuilder {

    @Override
    public void configure() {
        JobCatalog jobs = getCamelContext().getRegistry().findSingleByType(JobCatalog.class);
        ArchiveMonitor monitor = getCamelContext().getRegistry().findSingleByType(ArchiveMonitor.class);

        MonitorRunner runner = getCamelContext().getRegistry().findSingleByType(MonitorRunner.class);
        InterruptedRuns interrupted = getCamelContext().getRegistry()
                .findSingleByType(InterruptedRuns.class);
        from("timer:monitor-checks?period={{mking.monitor.period-seconds:300}}000&delay=30000").routeId("monitor-checks")
                .process(exchange -> interrupted.sweep()).id("sweep-interrupted-runs")
                .process(exchange -> runner.runOnce()).id("monitoring-pass");
        from("timer:job-metrics?period=60000&delay=5000").routeId("job-metrics")
                .process(exchange -> getCamelContext().getRegistry().findSingleByType(JobMetrics.class).refresh());

        from("timer:wal-archive-lag?period={{mking.wal.check-period-seconds:60}}000&delay=10000").routeId("wal-archive-lag")
                .process(exchange -> {
                    List<ArchiveMonitor.Status> measured = new ArrayList<>();
                    for (JobSpec job : jobs.jobs()) {
                        if (jobs.capability(job, com.mking.backup.source.ContinuousArchive.class).isPresent()) {
                            try {
                                measured.add(monitor.measure(job));
                            } catch (java.io.IOException e) {
                                log.warn("RPO lag of job {} not measured: {}", job.name(), e.getMessage());
                            }
                        }
                    }
                    exchange.getMessage().setBody(measured);
                })
                .split(body())
                    .process(exchange -> {
                        ArchiveMonitor.Status status = exchange.getMessage().getBody(ArchiveMonitor.Status.class);
                        exchange.setProperty("archivedAt", AuditTimes.utc(status.lastArchivedTime()));
                        exchange.setProperty("failedAt", AuditTimes.utc(status.lastFailedTime()));
                    })
                    .to(Sql.update("wal-archive-status"))
                    .process(exchange -> {
                        ArchiveMonitor.Status status = exchange.getMessage().getBody(ArchiveMonitor.Status.class);
                        getCamelContext().getRegistry().findSingleByType(JobMetrics.class).rpoLag(status.job(), status.lagSeconds());
                    })
                    .setHeader(AlertRoutes.CONDITION, simple("wal-lag:${body.job}"))
                    .choice()
                        .when(simple("${body.lagSeconds} > {{mking.wal.max-lag-seconds:300}}"))
                            .setHeader(AlertRoutes.LEVEL, constant("WARNING"))
                            .setHeader(AlertRoutes.SUBJECT, simple("WAL archive of job ${body.job} is behind"))
                            // nothing that changes every minute: a changed detail would send the alert again
                            .setHeader(AlertRoutes.DETAIL, simple("completed WAL has waited longer than "
                                    + "{{mking.wal.max-lag-seconds:300}} s; 'mking-backup status' shows what waits, the "
                                    + "server's log why archive_command fails"))
                            .to(AlertRoutes.ALERT)
                        .otherwise()
                            .setHeader(AlertRoutes.SUBJECT, simple("WAL archive of job ${body.job} caught up"))
                            .setHeader(AlertRoutes.DETAIL, simple("RPO lag ${body.lagSeconds} s"))
                            .to(AlertRoutes.CLEAR)
                    .end()
                .end();
    }
}
