SELECT job_name,
       max(end_time) FILTER (WHERE status = 'success') AS last_success,
       (array_agg(duration_seconds ORDER BY start_time DESC) FILTER (WHERE status = 'success'))[1] AS last_duration,
       (array_agg(stored_size_bytes ORDER BY start_time DESC) FILTER (WHERE status = 'success'))[1] AS last_size,
       (array_agg(verification_status ORDER BY start_time DESC) FILTER (WHERE status = 'success'))[1] AS last_verification,
       count(*) FILTER (WHERE status = 'success') AS successes,
       count(*) FILTER (WHERE status = 'failed') AS failures,
       count(*) FILTER (WHERE verification_status = 'failed') AS verification_failures,
       count(*) FILTER (WHERE status = 'success' AND start_time > (now() AT TIME ZONE 'UTC') - interval '30 days') AS successes_30d,
       count(*) FILTER (WHERE status IN ('success', 'failed') AND start_time > (now() AT TIME ZONE 'UTC') - interval '30 days') AS runs_30d
FROM backup_executions
WHERE job_name IS NOT NULL
GROUP BY job_name
