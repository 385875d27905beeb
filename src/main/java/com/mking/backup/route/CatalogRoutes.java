package com.mking.backup.route;

import com.mking.backup.audit.Catalog;
import com.mking.backup.audit.CatalogRebuilder;
import com.mking.backup.audit.JobStats;
import com.mking.backup.job.InterruptedRuns;
import com.mking.backup.monitor.MonitorRunner;
import org.apache.camel.builder.RouteBuilder;

/** Reads and writes of the catalog that are not part of a run: the job list and the backup catalog. */
public final class CatalogRoutes extends RouteBuilder {

    public static final String JOB_CONFIGURED = "direct:job-configured";
    public static final String JOBS_DEACTIVATED = "direct:jobs-deactivated";
    /** Every job's status (StatusService): a route file asks what {@code mking-backup status} shows; body: the list. */
    public static final String STATUS = "direct:status";

    @Override
    public void configure() {
        from(JOB_CONFIGURED).routeId("job-configured").to(Sql.update("job-configured"));
        com.mking.backup.app.StatusService status = getCamelContext().getRegistry()
                .findSingleByType(com.mking.backup.app.StatusService.class);
        from(STATUS).routeId("status").process(exchange -> exchange.getMessage().setBody(status.status())).id("status-of-jobs");
        from(JOBS_DEACTIVATED).routeId("jobs-deactivated").to(Sql.update("jobs-deactivated"));
        from(Catalog.ROUTE).routeId("catalog").to(Sql.query("catalog"));
        from(Catalog.SOURCE_SIZES_ROUTE).routeId("source-sizes").to(Sql.query("source-sizes"));
        from(Catalog.JOBS_ROUTE).routeId("catalog-jobs").to(Sql.query("catalog-jobs"));
        from(JobStats.ROUTE).routeId("job-stats").to(Sql.query("job-stats"));
        from(MonitorRunner.STORAGE_RECORDED).routeId("storage-recorded")
                .to(Sql.update("storage-recorded"));
        from(CatalogRebuilder.EXECUTION_ROUTE).routeId("execution-rebuilt")
                .to(Sql.query("execution-rebuilt"));
        from(CatalogRebuilder.COPY_ROUTE).routeId("copy-rebuilt")
                .to(Sql.update("copy-rebuilt"));
        from(InterruptedRuns.RUNNING_EXECUTIONS).routeId("running-executions")
                .to(Sql.query("running-executions"));
        from(InterruptedRuns.EXECUTION_ABORTED).routeId("execution-aborted")
                .to(Sql.update("execution-aborted"));
        from(InterruptedRuns.RUNNING_RESTORES).routeId("running-restores")
                .to(Sql.query("running-restores"));
        from(InterruptedRuns.RESTORE_ABORTED).routeId("restore-aborted")
                .to(Sql.update("restore-aborted"));
        from(Catalog.RESTORE_POINT_RECORDED_ROUTE).routeId("wal-restore-point-recorded")
                .to(Sql.update("wal-restore-point-recorded"));
        from(Catalog.RESTORE_POINTS_ROUTE).routeId("wal-restore-points").to(Sql.query("wal-restore-points"));
        from(Catalog.CONFIGURED_AT_ROUTE).routeId("job-configured-at").to(Sql.query("job-configured-at"));
        from(Catalog.COPY_DELETED_ROUTE).routeId("copy-deleted")
                .to(Sql.update("copy-deleted"))
                .to(Sql.update("backup-deleted"));
    }
}
