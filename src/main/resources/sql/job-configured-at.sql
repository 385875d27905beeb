SELECT created_at FROM backup_configurations WHERE name = :#${header.job}
