package com.mking.backup.route;

import com.mking.backup.audit.Catalog;
import org.apache.camel.builder.RouteBuilder;

/** Reads and writes of the catalog that are not part of a run: the job list and the backup catalog. */
public final class CatalogRoutes extends RouteBuilder {

    public static final String JOB_CONFIGURED = "direct:job-configured";
    public static final String JOBS_DEACTIVATED = "direct:jobs-deactivated";

    @Override
    public void configure() {
        from(JOB_CONFIGURED).routeId("job-configured").to(Sql.update("job-configured"));
        from(JOBS_DEACTIVATED).routeId("jobs-deactivated").to(Sql.update("jobs-deactivated"));
        from(Catalog.ROUTE).routeId("catalog").to(Sql.query("catalog"));
        from(com.mking.backup.audit.JobStats.ROUTE).routeId("job-stats").to(Sql.query("job-stats"));
        from(com.mking.backup.monitor.MonitorRunner.STORAGE_RECORDED).routeId("storage-recorded")
                .to(Sql.update("storage-recorded"));
        from(com.mking.backup.audit.CatalogRebuilder.EXECUTION_ROUTE).routeId("execution-rebuilt")
                .to(Sql.query("execution-rebuilt"));
        from(com.mking.backup.audit.CatalogRebuilder.COPY_ROUTE).routeId("copy-rebuilt")
                .to(Sql.update("copy-rebuilt"));
        from(Catalog.CONFIGURED_AT_ROUTE).routeId("job-configured-at").to(Sql.query("job-configured-at"));
        from(Catalog.COPY_DELETED_ROUTE).routeId("copy-deleted")
                .to(Sql.update("copy-deleted"))
                .to(Sql.update("backup-deleted"));
    }
}
