UPDATE backup_configurations SET is_active = false, updated_at = now() WHERE is_active
