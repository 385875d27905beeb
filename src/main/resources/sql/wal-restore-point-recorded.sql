INSERT INTO wal_restore_points (job_name, name, lsn, timeline, segment, created_at)
VALUES (:#${header.job}, :#${header.name}, :#${header.lsn}, :#${header.timeline}, :#${header.segment}, :#${header.createdAt})
ON CONFLICT (job_name, timeline, lsn) DO NOTHING
