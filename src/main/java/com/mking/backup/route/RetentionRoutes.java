package com.mking.backup.route;

import com.mking.backup.app.RetentionService;
import org.apache.camel.builder.RouteBuilder;

/**
 * {@code prune}: applies the retention rules (RetentionService) to one job (header {@value #JOB}) or all; header
 * {@value #DRY_RUN} only reports. The daemon runs it on {@code mking.retention.cron} (routes/retention.yaml, the seed's
 * weekly clean-up); a failure alerts once until a prune succeeds again. Body out: the decisions per job and store.
 */
public final class RetentionRoutes extends RouteBuilder {

    public static final String PRUNE = "direct:prune";
    public static final String JOB = "mkingJob";
    public static final String DRY_RUN = "mkingDryRun";

    @Override
    public void configure() {
        RetentionService retention = getCamelContext().getRegistry().findSingleByType(RetentionService.class);

        from(PRUNE).routeId("prune")
                .onException(Exception.class).handled(true)
                    .log(org.apache.camel.LoggingLevel.ERROR, "retention could not run: ${exception.message}")
                    .setHeader(AlertRoutes.CONDITION, constant("retention-failed"))
                    .setHeader(AlertRoutes.SUBJECT, constant("retention could not prune the backups"))
                    .setHeader(AlertRoutes.DETAIL, simple("${exception.message} (old backups stay until it runs again)"))
                    .to(AlertRoutes.ALERT)
                .end()
                .process(exchange -> exchange.getMessage().setBody(retention.prune(
                        exchange.getMessage().getHeader(JOB, String.class),
                        exchange.getMessage().getHeader(DRY_RUN, false, Boolean.class)))).id("prune-apply")
                .setProperty("decisions", body())
                .setHeader(AlertRoutes.CONDITION, constant("retention-failed"))
                .setHeader(AlertRoutes.SUBJECT, constant("retention prunes again"))
                .setHeader(AlertRoutes.DETAIL, constant("every job's retention rules were applied"))
                .to(AlertRoutes.CLEAR).id("prune-alert-clear")
                .setBody(exchangeProperty("decisions"));
    }
}
