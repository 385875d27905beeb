SELECT name, lsn, timeline, segment, created_at
FROM wal_restore_points
WHERE job_name = :#${header.job}
  AND (:#${header.name} = '' OR name = :#${header.name})
ORDER BY created_at, lsn
