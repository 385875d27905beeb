package com.mking.backup.route;

import com.mking.backup.job.BackupRunner;
import com.mking.backup.restore.Restorer;
import org.apache.camel.builder.RouteConfigurationBuilder;

/**
 * The shared error handling: a failed backup or restore is marked failed in its audit row, leaves
 * nothing that looks complete, and raises an alert. Routes pick their configuration by id.
 */
public final class ErrorHandling extends RouteConfigurationBuilder {

    public static final String BACKUP = "backup-errors";
    public static final String RESTORE = "restore-errors";

    @Override
    public void configuration() {
        BackupRunner runner = lookup(BackupRunner.class);
        Restorer restorer = lookup(Restorer.class);

        routeConfiguration(BACKUP).onException(Exception.class).handled(true)
                .process(runner::fail)
                .choice().when(simple("${exchangeProperty.run?.executionId} != null"))
                    .to(Sql.update("backup-failed"))
                .end()
                .setHeader(AlertRoutes.CONDITION, simple("backup-failed:${exchangeProperty.run?.jobName}"))
                .setHeader(AlertRoutes.LEVEL, constant("DANGER"))
                .setHeader(AlertRoutes.SUBJECT, simple("backup of job ${exchangeProperty.run?.jobName} failed"))
                .setHeader(AlertRoutes.DETAIL, simple("${exchangeProperty.run?.errorMessage}"))
                .to(AlertRoutes.ALERT)
                .process(runner::finish);

        routeConfiguration(RESTORE).onException(Exception.class).handled(true)
                .process(restorer::fail)
                .choice().when(simple("${exchangeProperty.restore?.taskId} != null"))
                    .to(Sql.update("restore-failed"))
                .end()
                .choice().when(simple("${exchangeProperty.restore?.operatorMistake} != true"))
                    .setHeader(AlertRoutes.CONDITION, simple("restore-failed:${exchangeProperty.restore?.target}"))
                    .setHeader(AlertRoutes.LEVEL, constant("DANGER"))
                    .setHeader(AlertRoutes.SUBJECT, simple("restore of backup ${exchangeProperty.restore?.backupId} failed"))
                    .setHeader(AlertRoutes.DETAIL, simple("${exchangeProperty.restore?.errorMessage}"))
                    .to(AlertRoutes.ALERT)
                .end()
                .process(restorer::finish);
    }

    private <T> T lookup(Class<T> type) {
        return getCamelContext().getRegistry().findSingleByType(type);
    }
}
