INSERT INTO storage_monitoring (storage_path, total_space_bytes, used_space_bytes, available_space_bytes, usage_percentage,
                                threshold_warning, threshold_critical, alert_sent, recorded_at)
VALUES (:#path, :#total, :#used, :#available, :#percent, :#warning, :#critical, :#alert, (now() AT TIME ZONE 'UTC'))
