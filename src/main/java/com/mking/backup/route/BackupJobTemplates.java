package com.mking.backup.route;

import com.mking.backup.job.BackupRunner;
import com.mking.backup.job.JobCatalog;
import com.mking.backup.source.Source;
import com.mking.backup.source.SourceRegistry;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;

/**
 * One route template per source kind (its id is the kind, e.g. {@code pg-logical}). Route files
 * instantiate it once per job with {@code templatedRoute}; the resulting route is the job's Quartz
 * trigger, named after the job, and hands the run to the shared {@code backup-run} route.
 *
 * <p>Triggers do not start with the context: the daemon starts them after every job passed
 * validation. In CLI commands the trigger is a {@code direct} endpoint nothing calls: they never join the daemon's
 * clustered Quartz store, and are spared its start (a connection pool and the store's checks).
 */
public final class BackupJobTemplates extends RouteBuilder {

    @Override
    public void configure() {
        SourceRegistry sources = getCamelContext().getRegistry().findSingleByType(SourceRegistry.class);
        String trigger = Boolean.parseBoolean(getCamelContext().resolvePropertyPlaceholders("{{mking.scheduler.enabled:true}}"))
                ? "quartz:mking/{{job}}?cron={{cron}}&deleteJob=false&pauseJob=false"
                : "direct:mking-trigger-{{job}}";
        for (Source source : sources.all()) {
            RouteTemplateDefinition template = routeTemplate(source.kind())
                    .templateParameter("job", null, "job name: the route id, the store folder and the audit name")
                    .templateParameter("cron", null, "Quartz cron (seconds first), e.g. \"0 0 3 ? * SUN\"")
                    .templateParameter("stores", "local", "comma-separated stores from mking.stores")
                    .templateOptionalParameter("ssh", "run the tool on this host over SSH: user@host[:port]")
                    .templateOptionalParameter("sshKey", "identity file for ssh (default: the user's keys)")
                    .templateOptionalParameter("keepLast", "newest backups always kept (pg-physical: 7, WAL before the oldest pruned)")
                    .templateOptionalParameter("keepDaily", "newest backup of each of the last N days (30)")
                    .templateOptionalParameter("keepWeekly", "newest backup of each of the last N ISO weeks (12)")
                    .templateOptionalParameter("keepMonthly", "newest backup of each of the last N months (12)")
                    .templateOptionalParameter("keepYearly", "newest backup of each of the last N years (7)")
                    .templateOptionalParameter("staleAfterHours", "alert when no success for this long (default: cron period + 1 h)")
                    .templateOptionalParameter("minCopies", "alert when a store holds fewer restorable backups of the job (0: off)");
            for (Source.Parameter parameter : source.parameters()) {
                if (parameter.defaultValue() == null) {
                    template.templateParameter(parameter.name(), null, parameter.description());
                } else {
                    template.templateOptionalParameter(parameter.name(), parameter.description());
                }
            }
            template.from(trigger)
                    .routeProperty(JobCatalog.SOURCE_PROPERTY, source.kind())
                    .autoStartup(false)
                    .setHeader(BackupRunner.JOB_HEADER, constant("{{job}}"))
                    .setHeader(BackupRunner.TRIGGER_HEADER, constant("schedule"))
                    .to(BackupRoutes.RUN);
            // the job name is the route id (its name in JMX/Hawtio), unless the route file sets routeId itself
            ((ModelCamelContext) getCamelContext()).addRouteTemplateDefinitionConverter(source.kind(), (in, parameters) -> {
                RouteDefinition route = RouteTemplateDefinition.Converter.DEFAULT_CONVERTER.apply(in, parameters);
                route.setId(String.valueOf(parameters.get("job")));
                return route;
            });
        }
    }
}
