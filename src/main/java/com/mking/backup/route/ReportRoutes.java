package com.mking.backup.route;

import com.mking.backup.alert.AlertDispatcher;
import com.mking.backup.audit.JobStats;
import com.mking.backup.job.JobCatalog;
import com.mking.backup.report.DailyReport;
import com.mking.backup.monitor.MonitorRunner;
import org.apache.camel.builder.RouteBuilder;

import java.time.Instant;

/**
 * {@code daily-report}: renders the report and hands it to the report channels (mail and Slack, see
 * {@link NotificationChannels}); routes/reports.yaml holds the schedule. The body is the HTML; headers carry
 * the subject and the plain-text summary.
 */
public final class ReportRoutes extends RouteBuilder {

    public static final String REPORT = "direct:daily-report";
    public static final String SUBJECT = "mkingReportSubject";
    public static final String SUMMARY = "mkingReportSummary";

    @Override
    public void configure() {
        JobCatalog jobs = getCamelContext().getRegistry().findSingleByType(JobCatalog.class);
        JobStats stats = getCamelContext().getRegistry().findSingleByType(JobStats.class);
        AlertDispatcher channels = new AlertDispatcher(getCamelContext().createProducerTemplate(),
                () -> NotificationChannels.channels(getCamelContext(), true));

        from(REPORT).routeId("daily-report")
                .process(exchange -> {
                    DailyReport.Rendered report = DailyReport.render(jobs.jobs(), stats.all(),
                            getCamelContext().getRegistry().findSingleByType(MonitorRunner.class)
                                    .problemsByJob(), Instant.now());
                    exchange.getMessage().setHeader(SUBJECT, report.subject());
                    exchange.getMessage().setHeader(SUMMARY, report.text());
                    exchange.getMessage().setBody(report.html());
                })
                .process(channels::deliver);
    }
}
