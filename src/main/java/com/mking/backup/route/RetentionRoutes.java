package com.mking.backup.route;

import com.mking.backup.app.RetentionService;
import org.apache.camel.builder.RouteBuilder;

/**
 * {@code prune}: applies the retention rules (RetentionService) to one job (header {@value #JOB}) or all; header
 * {@value #DRY_RUN} only reports. The daemon runs it on {@code mking.retention.cron} (routes/retention.yaml, the seed's
 * weekly clean-up); jobs that could not be pruned alert (once, until a full prune succeeds again), the others are pruned
 * anyway. Body out: RetentionService.Result (the decisions per job and store, the failures).
 */
public final class RetentionRoutes extends RouteBuilder {

    public static final String PRUNE = "direct:prune";
    public static final String JOB = "mkingJob";
    public static final String DRY_RUN = "mkingDryRun";

    @Override
    public void configure() {
        RetentionService retention = getCamelContext().getRegistry().findSingleByType(RetentionService.class);

        from(PRUNE).routeId("prune")
                .process(exchange -> exchange.getMessage().setBody(retention.prune(
                        exchange.getMessage().getHeader(JOB, String.class),
                        exchange.getMessage().getHeader(DRY_RUN, false, Boolean.class)))).id("prune-apply")
                .setProperty("result", body())
                .setHeader(AlertRoutes.CONDITION, constant("retention-failed"))
                .choice().id("prune-outcome")
                    .when(simple("${body.failures.size} > 0"))
                        .log(org.apache.camel.LoggingLevel.ERROR, "retention: ${body.failureText}")
                        .setHeader(AlertRoutes.SUBJECT, constant("retention could not prune every job"))
                        .setHeader(AlertRoutes.DETAIL, simple("${body.failureText} (their old backups stay until a prune "
                                + "succeeds)"))
                        .to(AlertRoutes.ALERT).id("prune-alert")
                    // only a full, real prune says every job is pruned again
                    .when(simple("${header." + JOB + "} == null && ${header." + DRY_RUN + "} != true"))
                        .setHeader(AlertRoutes.SUBJECT, constant("retention prunes every job again"))
                        .setHeader(AlertRoutes.DETAIL, constant("every job's retention rules were applied"))
                        .to(AlertRoutes.CLEAR).id("prune-alert-clear")
                .end()
                .setBody(exchangeProperty("result"));
    }
}
