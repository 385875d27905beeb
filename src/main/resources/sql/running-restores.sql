SELECT id, backup_id, target_path, process_id
FROM restore_tasks
WHERE status = 'running'
ORDER BY start_time
