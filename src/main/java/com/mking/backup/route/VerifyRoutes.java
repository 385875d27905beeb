package com.mking.backup.route;

import com.mking.backup.audit.AuditTimes;
import com.mking.backup.audit.Catalog;
import com.mking.backup.verify.Verifier;
import com.mking.backup.job.JobCatalog;
import com.mking.backup.restore.RestoreTester;
import org.apache.camel.builder.RouteBuilder;

import java.util.List;

/**
 * {@code verify-backup}: re-reads every stored copy of one backup (header {@value #BACKUP_ID}), records
 * one backup_verifications row per copy, sets the backup's verification status, and alerts when a copy
 * fails (a recovery notice when it passes again). The body ends as the list of copy results.
 * Failures are handled here: verification never turns a good backup into a failed run.
 */
public final class VerifyRoutes extends RouteBuilder {

    public static final String VERIFY = "direct:verify-backup";
    public static final String BACKUP_ID = "mkingBackupId";
    /** Optional header: decode all data shared between backups (a snapshot\'s packs), not a sample. */
    public static final String READ_ALL = "mkingVerifyReadAll";
    /** Optional: results of a read that already happened (verify-after-write), recorded instead of reading again. */
    public static final String RESULTS = "mkingVerificationResults";
    public static final String SAMPLE = "direct:verify-sample";
    public static final String RESTORE_TESTS = "direct:restore-tests";
    public static final String SAMPLE_PERCENT = "mkingSamplePercent";
    public static final String JOB = "mkingRestoreTestJob";

    @Override
    public void configure() {
        Verifier verifier = getCamelContext().getRegistry().findSingleByType(Verifier.class);
        Catalog catalog = getCamelContext().getRegistry().findSingleByType(Catalog.class);

        RestoreTester tester = getCamelContext().getRegistry()
                .findSingleByType(RestoreTester.class);
        JobCatalog jobs = getCamelContext().getRegistry().findSingleByType(JobCatalog.class);

        onException(Exception.class).handled(true)
                .log(org.apache.camel.LoggingLevel.ERROR, "verification of ${header." + BACKUP_ID + "} could not run: ${exception.message}");

        from(VERIFY).routeId("verify-backup")
                .process(exchange -> {
                    List<?> done = exchange.getMessage().getHeader(RESULTS, List.class);
                    exchange.getMessage().removeHeader(RESULTS);
                    if (done != null && !done.isEmpty()) {
                        exchange.getMessage().setBody(done);
                        return;
                    }
                    String backupId = exchange.getMessage().getHeader(BACKUP_ID, String.class);
                    var entry = catalog.find(backupId).orElseThrow(() -> new IllegalArgumentException("no backup " + backupId));
                    List<Verifier.CopyResult> results = verifier.verify(entry,
                            exchange.getMessage().getHeader(READ_ALL, false, Boolean.class));
                    // a damaged pack is shared: the older snapshots referencing it are recorded failed in that store too
                    List<Verifier.CopyResult> sharing = results.stream().noneMatch(Verifier.CopyResult::failed) ? List.of()
                            : verifier.sharingTheDamage(entry, results, catalog.restorable(entry.job()));
                    exchange.getMessage().setBody(java.util.stream.Stream.concat(results.stream(), sharing.stream()).toList());
                })
                .setProperty("results", body())
                .split(body())
                    .process(exchange -> {
                        Verifier.CopyResult result = exchange.getMessage().getBody(Verifier.CopyResult.class);
                        // "error": could not be checked here, which says nothing about the copy
                        exchange.setProperty("verificationStatus", switch (result.outcome()) {
                            case PASSED -> "passed";
                            case FAILED -> "failed";
                            case NOT_VERIFIED -> "error";
                        });
                        exchange.setProperty("verificationStart", AuditTimes.utc(result.startedAt()));
                        exchange.setProperty("verificationEnd", AuditTimes.utc(result.finishedAt()));
                        exchange.setProperty("verificationSeconds", AuditTimes.seconds(result.startedAt(), result.finishedAt()));
                        exchange.setProperty("verifiedFiles", result.passed() ? 1 : 0);
                        exchange.setProperty("failedFiles", result.failed() ? 1 : 0);
                    })
                    .to(Sql.update("verification-recorded"))
                    .filter(simple("${body.passed}"))
                        .to(Sql.update("copy-verified"))
                    .end()
                .end()
                .process(exchange -> {
                    List<Verifier.CopyResult> results = ((List<?>) exchange.getProperty("results", List.class)).stream()
                            .map(Verifier.CopyResult.class::cast).toList();
                    String backupId = exchange.getMessage().getHeader(BACKUP_ID, String.class);
                    List<Verifier.CopyResult> own = results.stream().filter(r -> r.backupId().equals(backupId)).toList();
                    List<String> failures = new java.util.ArrayList<>(own.stream().filter(Verifier.CopyResult::failed)
                            .map(r -> r.store() + ": " + r.error()).toList());
                    List<String> sharing = results.stream().filter(r -> !r.backupId().equals(backupId))
                            .map(r -> r.backupId() + " in " + r.store()).toList();
                    if (!sharing.isEmpty()) {
                        failures.add(sharing.size() + " other backup(s) reference the damaged data and are marked failed "
                                + "there: " + String.join(", ", sharing));
                    }
                    List<String> unchecked = own.stream().filter(r -> r.outcome() == Verifier.Outcome.NOT_VERIFIED)
                            .map(r -> r.store() + ": " + r.error()).toList();
                    // a copy that could not be checked here leaves the backup's status as it was
                    exchange.setProperty("backupVerification", !failures.isEmpty() ? "failed" : unchecked.isEmpty() ? "passed" : null);
                    exchange.setProperty("failures", String.join("; ", failures));
                    exchange.setProperty("unchecked", String.join("; ", unchecked));
                    exchange.getMessage().setBody(results);
                })
                .filter(exchangeProperty("backupVerification").isNotNull())
                    .to(Sql.update("backup-verified"))
                .end()
                .setHeader(AlertRoutes.CONDITION, simple("verification-failed:${header." + BACKUP_ID + "}"))
                .choice()
                    .when(simple("${exchangeProperty.failures} != ''"))
                        .setHeader(AlertRoutes.LEVEL, constant("DANGER"))
                        .setHeader(AlertRoutes.SUBJECT, simple("verification of backup ${header." + BACKUP_ID + "} failed"))
                        .setHeader(AlertRoutes.DETAIL, exchangeProperty("failures"))
                        .to(AlertRoutes.ALERT)
                    .when(simple("${exchangeProperty.unchecked} == ''"))
                        .setHeader(AlertRoutes.SUBJECT, simple("backup ${header." + BACKUP_ID + "} verifies again"))
                        .setHeader(AlertRoutes.DETAIL, constant("every copy passed"))
                        .to(AlertRoutes.CLEAR)
                .end()
                .setHeader(AlertRoutes.CONDITION, simple("verification-error:${header." + BACKUP_ID + "}"))
                .choice()
                    .when(simple("${exchangeProperty.unchecked} != ''"))
                        .setHeader(AlertRoutes.LEVEL, constant("DANGER"))
                        .setHeader(AlertRoutes.SUBJECT, simple("backup ${header." + BACKUP_ID + "} could not be verified here"))
                        .setHeader(AlertRoutes.DETAIL, simple("${exchangeProperty.unchecked} (nothing is known against the "
                                + "backup; its status is unchanged)"))
                        .to(AlertRoutes.ALERT)
                    .otherwise()
                        .setHeader(AlertRoutes.SUBJECT, simple("backup ${header." + BACKUP_ID + "} can be verified again"))
                        .setHeader(AlertRoutes.DETAIL, constant("every copy was checked"))
                        .to(AlertRoutes.CLEAR)
                .end()
                .setBody(exchangeProperty("results"));

        from(SAMPLE).routeId("verify-sample")
                .process(exchange -> exchange.getMessage().setBody(getCamelContext().getRegistry()
                        .findSingleByType(com.mking.backup.app.VerifyService.class)
                        .sample(exchange.getMessage().getHeader(SAMPLE_PERCENT, 100, Integer.class)))).id("verify-sample-pick")
                .split(body())
                    .setHeader(BACKUP_ID, body())
                    .to(VERIFY)
                .end();

        from(RESTORE_TESTS).routeId("restore-tests")
                .process(exchange -> {
                    String only = exchange.getMessage().getHeader(JOB, String.class);
                    exchange.getMessage().setBody(jobs.jobs().stream()
                            .filter(tester::isTestable)
                            .filter(job -> only == null || job.name().equals(only))
                            .map(tester::test).toList());
                })
                .setProperty("results", body())
                .split(body())
                    .process(exchange -> {
                        var result = exchange.getMessage().getBody(RestoreTester.Result.class);
                        exchange.setProperty("testStatus", result.passed() ? "passed" : "failed");
                        exchange.setProperty("testStart", AuditTimes.utc(result.startedAt()));
                        exchange.setProperty("testEnd", AuditTimes.utc(result.finishedAt()));
                        exchange.setProperty("testSeconds", AuditTimes.seconds(result.startedAt(), result.finishedAt()));
                    })
                    .to(Sql.update("restore-test-recorded"))
                    .setHeader(AlertRoutes.CONDITION, simple("restore-test-failed:${body.job}"))
                    .setHeader(AlertRoutes.DETAIL, simple("${body.detail}"))
                    .choice()
                        .when(simple("${body.passed}"))
                            .setHeader(AlertRoutes.SUBJECT, simple("restore test of job ${body.job} passes again"))
                            .to(AlertRoutes.CLEAR)
                        .otherwise()
                            .setHeader(AlertRoutes.LEVEL, constant("DANGER"))
                            .setHeader(AlertRoutes.SUBJECT, simple("restore test of job ${body.job} failed"))
                            .to(AlertRoutes.ALERT)
                    .end()
                .end()
                .setBody(exchangeProperty("results"));
    }
}
