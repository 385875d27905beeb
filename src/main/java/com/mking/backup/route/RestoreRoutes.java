package com.mking.backup.route;

import com.mking.backup.restore.Restorer;
import org.apache.camel.builder.RouteBuilder;

/**
 * {@code restore}: one restore of one backup. The {@code restore_tasks} row is written first, so even a
 * restore that cannot find its backup is on record.
 */
public final class RestoreRoutes extends RouteBuilder {

    public static final String RESTORE = "direct:restore";
    static final String TASK_ID = "mkingRestoreTaskId";

    @Override
    public void configure() {
        Restorer restorer = getCamelContext().getRegistry().findSingleByType(Restorer.class);

        from(RESTORE).routeId("restore").routeConfigurationId(ErrorHandling.RESTORE)
                .to(Sql.returning("restore-started", TASK_ID))
                .process(exchange -> Restorer.task(exchange).recordTaskId(exchange.getMessage().getHeader(TASK_ID, Integer.class)))
                .process(restorer::begin).id("restore-lock")
                .process(restorer::locate).id("restore-locate")
                .loop(simple("${exchangeProperty.restore.artefactCount}")).id("restore-artefacts")
                    .process(restorer::prepareArtefact).id("restore-decode")
                    .to("exec:restore-tool?commandExecutor=#toolExecutor&binding=#toolBinding").id("restore-tool")
                    .process(restorer::artefactRestored).id("restore-checked")
                .end()
                .process(restorer::complete).id("restore-in-place")
                .to(Sql.update("restore-succeeded"))
                .setHeader(AlertRoutes.CONDITION, simple("restore-failed:${exchangeProperty.restore.target}"))
                .setHeader(AlertRoutes.SUBJECT, simple("restore into ${exchangeProperty.restore.target} succeeded"))
                .setHeader(AlertRoutes.DETAIL, simple("backup ${exchangeProperty.restore.backupId}"))
                .to(AlertRoutes.CLEAR)
                .process(restorer::finish).id("restore-unlock");
    }
}
