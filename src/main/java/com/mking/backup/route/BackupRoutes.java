package com.mking.backup.route;

import com.mking.backup.job.BackupRun;
import com.mking.backup.job.BackupRunner;
import org.apache.camel.builder.RouteBuilder;

/**
 * {@code backup-run}: one backup of one job, whatever triggered it (Quartz or {@code mking-backup run}), as the
 * design card reads in Hawtio (node ids start with {@code backup-}, unique beside job names): job-lock → audit-start →
 * source-prepare → artefacts (tool-command → tool, or java-stream; then checksum → compress → encrypt → stores, once per
 * artefact) → manifest → audit-success → copies → alert-clear → verify. The checksum sums the raw bytes (what a
 * restore compares), so it comes before compression; the stores step sums the stored bytes. The source's tools run through camel-exec
 * with a streaming executor; their output goes through the pipeline into the stores; every step lands in the audit
 * tables through camel-sql.
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
                .process(runner::begin).id("backup-job-lock")
                .filter(exchange -> !BackupRunner.isSkipped(exchange)).id("backup-not-already-running")
                    .to(Sql.returning("backup-started", EXECUTION_ID)).id("backup-audit-start")
                    .process(exchange -> BackupRunner.run(exchange)
                            .recordExecutionId(exchange.getMessage().getHeader(EXECUTION_ID, Integer.class))).id("backup-execution-id")
                    .process(runner::prepareSource).id("backup-source-prepare")
                    .loop(simple("${exchangeProperty.run.outputCount}")).id("backup-artefacts")
                        .choice().id("backup-artefact-producer")
                            .when(BackupRunner::nextIsCommand)
                                .process(runner::startTool).id("backup-tool-command")
                                .to("exec:backup-tool?commandExecutor=#toolExecutor&binding=#toolBinding").id("backup-tool")
                            .otherwise()
                                .process(runner::startStream).id("backup-java-stream")
                        .end()
                        // each step adds its stage; the bytes flow (once, streamed) when the stores step pumps them
                        .process(runner::checksum).id("backup-checksum")
                        .process(runner::compress).id("backup-compress")
                        .process(runner::encrypt).id("backup-encrypt")
                        .process(runner::storeArtefact).id("backup-stores")
                    .end()
                    .process(runner::publish).id("backup-manifest")
                    .setProperty("verificationStatus", constant(verifyAfterWrite ? "passed" : "pending"))
                    .setProperty("copyVerifiedAt", simple(verifyAfterWrite ? "${exchangeProperty.run.endTime}" : "${null}"))
                    .to(Sql.update("backup-succeeded")).id("backup-audit-success")
                    .split(simple("${exchangeProperty.run.storedCopies}")).id("backup-copies")
                        .to(Sql.update("copy-stored")).id("backup-audit-copy")
                    .end()
                    .process(runner::afterSuccess).id("backup-source-after-backup")
                    .setHeader(AlertRoutes.CONDITION, simple("backup-failed:${exchangeProperty.run.jobName}"))
                    .setHeader(AlertRoutes.SUBJECT, simple("backup of job ${exchangeProperty.run.jobName} succeeded again"))
                    .setHeader(AlertRoutes.DETAIL, simple("backup ${exchangeProperty.run.backupId} is complete in "
                            + "${exchangeProperty.run.job.stores}"))
                    .to(AlertRoutes.CLEAR).id("backup-alert-clear")
                    .process(runner::finish).id("backup-job-unlock")
                    .filter(constant(verifyAfterBackup)).id("backup-verify-after-backup")
                        .setHeader(VerifyRoutes.BACKUP_ID, simple("${exchangeProperty.run.backupId}"))
                        .setHeader(VerifyRoutes.RESULTS, simple("${exchangeProperty.run.readBack}"))
                        .to(VerifyRoutes.VERIFY).id("backup-verify")
                    .end()
                .end()
                .setBody(exchangeProperty(BackupRunner.RUN).convertTo(BackupRun.class));

    }
}
