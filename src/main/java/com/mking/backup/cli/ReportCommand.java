package com.mking.backup.cli;

import com.mking.backup.audit.JobStats;
import com.mking.backup.report.DailyReport;
import com.mking.backup.route.ReportRoutes;
import com.mking.backup.monitor.MonitorRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.time.Instant;
import java.util.concurrent.Callable;

@Command(name = "report", mixinStandardHelpOptions = true, description = "Print the daily report (per job: last success, size, duration, verification, "
        + "30-day success rate); --send also mails it and posts the summary to Slack, as the daemon does at 09:00.")
final class ReportCommand implements Callable<Integer> {

    @ParentCommand
    MkingBackup parent;

    @Option(names = "--send", description = "send it through the report channels (routes/reports.yaml)")
    boolean send;

    @Override
    public Integer call() {
        try (BackupRuntime runtime = parent.boot(false)) {
            DailyReport.Rendered report = DailyReport.render(runtime.jobs().jobs(), runtime.bean(JobStats.class).all(),
                    runtime.bean(MonitorRunner.class).problemsByJob(), Instant.now());
            System.out.print(report.text());
            if (send) {
                runtime.producer().sendBody(ReportRoutes.REPORT, null);
            }
            return report.allHealthy() ? MkingBackup.OK : MkingBackup.FAILED;
        }
    }
}
