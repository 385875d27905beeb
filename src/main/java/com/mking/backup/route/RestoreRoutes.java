package com.mking.backup.route;

import com.mking.backup.restore.Restorer;
import org.apache.camel.builder.RouteBuilder;

/**
 * {@code restore}: one restore of one backup. The {@code restore_tasks} row is written first, so even a
 * restore that cannot find its backup is on record.
 */
public final class RestoreRoutes extends RouteBuilder {

    public static final String RESTORE = "direct:restore";
    /**
     * A restore started from a route file (a DR plan, a drill): headers {@value Restorer#BACKUP_ID} and
     * {@value Restorer#TARGET} (a database name, or an absolute directory), optionally {@value Restorer#FROM}, {@value Restorer#FORCE}, {@value Restorer#PORT} and
     * {@value Restorer#REQUESTED_BY}. An operator mistake (unknown backup, occupied target) fails the exchange before
     * anything is attempted; otherwise the body ends as the task (its outcome, duration, error).
     */
    public static final String REQUEST = "direct:restore-request";
    static final String TASK_ID = "mkingRestoreTaskId";

    @Override
    public void configure() {
        Restorer restorer = getCamelContext().getRegistry().findSingleByType(Restorer.class);

        from(REQUEST).routeId("restore-request")
                .process(restorer::fromHeaders).id("restore-preflight")
                .to(RESTORE).id("restore-run")
                .setBody(exchangeProperty(Restorer.TASK));

        from(RESTORE).routeId("restore").routeConfigurationId(ErrorHandling.RESTORE)
                .to(Sql.returning("restore-started", TASK_ID)).id("restore-audit-start")
                .process(exchange -> Restorer.task(exchange).recordTaskId(exchange.getMessage().getHeader(TASK_ID, Integer.class)))
                    .id("restore-task-id")
                .process(restorer::begin).id("restore-lock")
                .process(restorer::locate).id("restore-locate")
                .loop(simple("${exchangeProperty.restore.artefactCount}")).id("restore-artefacts")
                    .process(restorer::prepareArtefact).id("restore-decode")
                    .choice().id("restore-by")
                        .when(Restorer::restoresInProcess)
                            .process(restorer::restoreInProcess).id("restore-in-process")
                        .otherwise()
                            .to("exec:restore-tool?commandExecutor=#toolExecutor&binding=#toolBinding").id("restore-tool")
                    .end()
                    .process(restorer::artefactRestored).id("restore-checked")
                .end()
                .process(restorer::complete).id("restore-in-place")
                .to(Sql.update("restore-succeeded")).id("restore-audit-success")
                .setHeader(AlertRoutes.CONDITION, simple("restore-failed:${exchangeProperty.restore.target}"))
                .setHeader(AlertRoutes.SUBJECT, simple("restore into ${exchangeProperty.restore.target} succeeded"))
                .setHeader(AlertRoutes.DETAIL, simple("backup ${exchangeProperty.restore.backupId}"))
                .to(AlertRoutes.CLEAR).id("restore-alert-clear")
                .process(restorer::finish).id("restore-unlock");
    }
}
