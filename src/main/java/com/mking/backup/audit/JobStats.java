package com.mking.backup.audit;

import org.apache.camel.ProducerTemplate;

import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Per-job figures from the audit tables (route {@code job-stats}): for metrics, status and the daily report. */
public final class JobStats {

    public static final String ROUTE = "direct:job-stats";

    private final ProducerTemplate producer;

    public JobStats(ProducerTemplate producer) {
        this.producer = producer;
    }

    /** One job's figures. Success rate over 30 days is null when it did not run. */
    public record Stats(String job, LocalDateTime lastSuccess, Integer lastDurationSeconds, Long lastSizeBytes,
                        String lastVerification, long successes, long failures, long verificationFailures,
                        long successes30d, long runs30d) {

        public Double successRate30d() {
            return runs30d == 0 ? null : 100.0 * successes30d / runs30d;
        }
    }

    public Map<String, Stats> all() {
        Map<String, Stats> byJob = new LinkedHashMap<>();
        List<?> rows = producer.requestBody(ROUTE, null, List.class);
        for (Object item : rows) {
            Map<?, ?> row = (Map<?, ?>) item;
            String job = (String) row.get("job_name");
            byJob.put(job, new Stats(job, row.get("last_success") == null ? null : ((Timestamp) row.get("last_success")).toLocalDateTime(),
                    (Integer) row.get("last_duration"), (Long) row.get("last_size"), (String) row.get("last_verification"),
                    number(row.get("successes")), number(row.get("failures")), number(row.get("verification_failures")),
                    number(row.get("successes_30d")), number(row.get("runs_30d"))));
        }
        return byJob;
    }

    private static long number(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }
}
