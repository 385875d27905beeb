package com.mking.backup.route;

import com.mking.backup.job.BackupRun;
import com.mking.backup.job.BackupRunner;
import org.apache.camel.builder.RouteBuilder;

/**
 * {@code backup-run}: one backup of one job, whatever triggered it (Quartz or {@code mking-backup run}).
 * The source's tool runs through camel-exec with a streaming executor; its output goes through the
 * pipeline into the stores; every step lands in the audit tables through camel-sql.
 */
public final class BackupRoutes extends RouteBuilder {

    public static final String RUN = "direct:backup-run";
    static final String EXECUTION_ID = "mkingExecutionId";

    @Override
    public void configure() {
        BackupRunner runner = getCamelContext().getRegistry().findSingleByType(BackupRunner.class);
        // read as every flag is (yes/on count as true), not with Boolean.parseBoolean
        com.mking.backup.config.Settings settings = new com.mking.backup.config.Settings(getCamelContext());
        boolean verifyAfterWrite = settings.bool("mking.pipeline.verify-after-write", true);
        boolean verifyAfterBackup = settings.bool("mking.verify.after-backup", true);

        from(RUN).routeId("backup-run").routeConfigurationId(ErrorHandling.BACKUP)
                .process(runner::begin)
                .filter(exchange -> !BackupRunner.isSkipped(exchange))
                    .to(Sql.returning("backup-started", EXECUTION_ID))
                    .process(exchange -> BackupRunner.run(exchange)
                            .recordExecutionId(exchange.getMessage().getHeader(EXECUTION_ID, Integer.class)))
                    .process(runner::prepareSource).id("source-prepare")
                    .loop(simple("${exchangeProperty.run.outputCount}")).id("artefacts")
                        .process(runner::startTool).id("tool-command")
                        .to("exec:backup-tool?commandExecutor=#toolExecutor&binding=#toolBinding").id("tool")
                        .process(runner::storeArtefact).id("stores")
                    .end()
                    .process(runner::publish).id("manifest")
                    .setProperty("verificationStatus", constant(verifyAfterWrite ? "passed" : "pending"))
                    .setProperty("copyVerifiedAt", simple(verifyAfterWrite ? "${exchangeProperty.run.endTime}" : "${null}"))
                    .to(Sql.update("backup-succeeded"))
                    .split(simple("${exchangeProperty.run.storedCopies}"))
                        .to(Sql.update("copy-stored"))
                    .end()
                    .process(runner::afterSuccess)
                    .setHeader(AlertRoutes.CONDITION, simple("backup-failed:${exchangeProperty.run.jobName}"))
                    .setHeader(AlertRoutes.SUBJECT, simple("backup of job ${exchangeProperty.run.jobName} succeeded again"))
                    .setHeader(AlertRoutes.DETAIL, simple("backup ${exchangeProperty.run.backupId} is complete in "
                            + "${exchangeProperty.run.job.stores}"))
                    .to(AlertRoutes.CLEAR)
                    .process(runner::finish)
                    .filter(constant(verifyAfterBackup))
                        .setHeader(VerifyRoutes.BACKUP_ID, simple("${exchangeProperty.run.backupId}"))
                        .setHeader(VerifyRoutes.RESULTS, simple("${exchangeProperty.run.readBack}"))
                        .to(VerifyRoutes.VERIFY)
                    .end()
                .end()
                .setBody(exchangeProperty(BackupRunner.RUN).convertTo(BackupRun.class));

    }
}
