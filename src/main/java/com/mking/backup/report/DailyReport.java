package com.mking.backup.report;

import com.mking.backup.audit.JobStats;
import com.mking.backup.job.JobSpec;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The daily report (the plan: 09:00): per job the last success, its size and duration, the verification
 * state and the 30-day success rate. Rendered as an HTML mail and a one-line-per-job Slack summary.
 */
public final class DailyReport {

    private DailyReport() {
    }

    public record Rendered(String subject, String html, String text, boolean allHealthy) {
    }

    /** @param problems per job, what the monitoring finds wrong now (stale, not protected): the same as check */
    public static Rendered render(List<JobSpec> jobs, Map<String, JobStats.Stats> stats, Map<String, List<String>> problems,
                                  Instant now) {
        StringBuilder html = new StringBuilder("<html><body><h2>mking-backup daily report</h2><p>").append(now)
                .append("</p><table border=\"1\" cellpadding=\"4\" cellspacing=\"0\"><tr><th>job</th><th>source</th>"
                        + "<th>last success (UTC)</th><th>size</th><th>duration</th><th>verification</th>"
                        + "<th>success rate 30 d</th><th>problems</th></tr>");
        StringBuilder text = new StringBuilder("mking-backup daily report " + now + "\n");
        boolean healthy = true;
        for (JobSpec job : jobs) {
            JobStats.Stats s = stats.get(job.name());
            String last = s == null || s.lastSuccess() == null ? "never" : com.mking.backup.audit.AuditTimes.shown(s.lastSuccess());
            String size = s == null || s.lastSizeBytes() == null ? "-" : Bytes.human(s.lastSizeBytes());
            String duration = s == null || s.lastDurationSeconds() == null ? "-" : s.lastDurationSeconds() + " s";
            String verification = s == null || s.lastVerification() == null ? "-" : s.lastVerification();
            Double rate = s == null ? null : s.successRate30d();
            String rateText = rate == null ? "no runs" : String.format(Locale.ROOT, "%.1f %% (%d/%d)", rate, s.successes30d(), s.runs30d());
            List<String> found = problems.getOrDefault(job.name(), List.of());
            boolean ok = s != null && s.lastSuccess() != null && !"failed".equals(verification) && (rate == null || rate >= 99.9)
                    && found.isEmpty();
            healthy &= ok;
            html.append("<tr style=\"background:").append(ok ? "#e8f5e9" : "#ffebee").append("\"><td>").append(escape(job.name()))
                    .append("</td><td>").append(escape(job.source())).append("</td><td>").append(last).append("</td><td>")
                    .append(size).append("</td><td>").append(duration).append("</td><td>").append(escape(verification))
                    .append("</td><td>").append(rateText).append("</td><td>").append(escape(String.join("; ", found)))
                    .append("</td></tr>");
            text.append(ok ? "OK   " : "FAIL ").append(job.name()).append(": last success ").append(last).append(", ")
                    .append(size).append(", ").append(duration).append(", verification ").append(verification)
                    .append(", 30 d ").append(rateText).append(found.isEmpty() ? "" : "; " + String.join("; ", found)).append('\n');
        }
        html.append("</table></body></html>");
        String subject = "mking-backup daily report: " + (healthy ? "all jobs healthy" : "attention needed");
        return new Rendered(subject, html.toString(), text.toString(), healthy);
    }

    private static String escape(String value) {
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
