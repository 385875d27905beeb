-- One backup_verifications row per stored copy.
ALTER TABLE backup_verifications
    ADD COLUMN store_name VARCHAR(100),
    ADD COLUMN format_checked BOOLEAN;
