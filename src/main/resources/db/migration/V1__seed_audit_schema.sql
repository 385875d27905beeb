-- The seed's audit schema (plan section 3.1-3.2), unchanged. Later migrations extend it; none drops its columns.
-- 備份配置表
CREATE TABLE backup_configurations (
    id SERIAL PRIMARY KEY,
    name VARCHAR(100) NOT NULL UNIQUE,
    backup_type VARCHAR(50) NOT NULL, -- 'postgresql', 'redis', 'files', 'git'
    source_path TEXT NOT NULL,
    destination_path TEXT NOT NULL,
    schedule_cron VARCHAR(100),
    retention_days INTEGER DEFAULT 30,
    compression_enabled BOOLEAN DEFAULT true,
    encryption_enabled BOOLEAN DEFAULT false,
    remote_backup_enabled BOOLEAN DEFAULT false,
    remote_host VARCHAR(255),
    remote_path TEXT,
    notification_enabled BOOLEAN DEFAULT true,
    notification_email VARCHAR(255),
    notification_slack_webhook TEXT,
    is_active BOOLEAN DEFAULT true,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

-- 備份執行記錄表
CREATE TABLE backup_executions (
    id SERIAL PRIMARY KEY,
    configuration_id INTEGER REFERENCES backup_configurations(id),
    execution_type VARCHAR(50) NOT NULL, -- 'full', 'incremental', 'wal', 'logical'
    status VARCHAR(50) NOT NULL, -- 'running', 'success', 'failed', 'cancelled'
    start_time TIMESTAMP NOT NULL,
    end_time TIMESTAMP,
    duration_seconds INTEGER,
    backup_size_bytes BIGINT,
    backup_path TEXT,
    file_count INTEGER,
    error_message TEXT,
    verification_status VARCHAR(50), -- 'pending', 'passed', 'failed', 'skipped'
    verification_time TIMESTAMP,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

-- 恢復任務表
CREATE TABLE restore_tasks (
    id SERIAL PRIMARY KEY,
    backup_execution_id INTEGER REFERENCES backup_executions(id),
    restore_type VARCHAR(50) NOT NULL, -- 'full', 'partial', 'point_in_time'
    target_path TEXT NOT NULL,
    restore_point TIMESTAMP,
    status VARCHAR(50) NOT NULL, -- 'pending', 'running', 'success', 'failed', 'cancelled'
    start_time TIMESTAMP,
    end_time TIMESTAMP,
    duration_seconds INTEGER,
    restored_size_bytes BIGINT,
    restored_file_count INTEGER,
    error_message TEXT,
    requested_by VARCHAR(100),
    approved_by VARCHAR(100),
    approval_time TIMESTAMP,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

-- 備份驗證記錄表
CREATE TABLE backup_verifications (
    id SERIAL PRIMARY KEY,
    backup_execution_id INTEGER REFERENCES backup_executions(id),
    verification_type VARCHAR(50) NOT NULL, -- 'checksum', 'restore_test', 'file_integrity'
    status VARCHAR(50) NOT NULL, -- 'pending', 'running', 'passed', 'failed'
    start_time TIMESTAMP NOT NULL,
    end_time TIMESTAMP,
    duration_seconds INTEGER,
    verified_file_count INTEGER,
    failed_file_count INTEGER,
    checksum_match BOOLEAN,
    error_details TEXT,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

-- 存儲空間監控表
CREATE TABLE storage_monitoring (
    id SERIAL PRIMARY KEY,
    storage_path VARCHAR(255) NOT NULL,
    total_space_bytes BIGINT NOT NULL,
    used_space_bytes BIGINT NOT NULL,
    available_space_bytes BIGINT NOT NULL,
    usage_percentage DECIMAL(5,2) NOT NULL,
    threshold_warning INTEGER DEFAULT 80,
    threshold_critical INTEGER DEFAULT 90,
    alert_sent BOOLEAN DEFAULT false,
    recorded_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

-- 災難恢復計劃表
CREATE TABLE disaster_recovery_plans (
    id SERIAL PRIMARY KEY,
    plan_name VARCHAR(100) NOT NULL UNIQUE,
    disaster_type VARCHAR(50) NOT NULL, -- 'hardware_failure', 'data_corruption', 'security_breach', 'natural_disaster'
    priority_level INTEGER NOT NULL, -- 1-5, 1 being highest priority
    rpo_minutes INTEGER NOT NULL, -- Recovery Point Objective in minutes
    rto_minutes INTEGER NOT NULL, -- Recovery Time Objective in minutes
    recovery_steps TEXT NOT NULL,
    required_resources TEXT,
    contact_list TEXT,
    test_schedule VARCHAR(100),
    last_tested TIMESTAMP,
    test_results TEXT,
    is_active BOOLEAN DEFAULT true,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

-- 備份配置表索引
CREATE INDEX idx_backup_configurations_type ON backup_configurations(backup_type);
CREATE INDEX idx_backup_configurations_active ON backup_configurations(is_active);

-- 備份執行記錄表索引
CREATE INDEX idx_backup_executions_config_id ON backup_executions(configuration_id);
CREATE INDEX idx_backup_executions_status ON backup_executions(status);
CREATE INDEX idx_backup_executions_start_time ON backup_executions(start_time);
CREATE INDEX idx_backup_executions_type_status ON backup_executions(execution_type, status);

-- 恢復任務表索引
CREATE INDEX idx_restore_tasks_backup_id ON restore_tasks(backup_execution_id);
CREATE INDEX idx_restore_tasks_status ON restore_tasks(status);
CREATE INDEX idx_restore_tasks_start_time ON restore_tasks(start_time);

-- 備份驗證記錄表索引
CREATE INDEX idx_backup_verifications_backup_id ON backup_verifications(backup_execution_id);
CREATE INDEX idx_backup_verifications_status ON backup_verifications(status);
CREATE INDEX idx_backup_verifications_start_time ON backup_verifications(start_time);

-- 存儲空間監控表索引
CREATE INDEX idx_storage_monitoring_path ON storage_monitoring(storage_path);
CREATE INDEX idx_storage_monitoring_recorded_at ON storage_monitoring(recorded_at);
CREATE INDEX idx_storage_monitoring_usage ON storage_monitoring(usage_percentage);

-- 災難恢復計劃表索引
CREATE INDEX idx_disaster_recovery_plans_type ON disaster_recovery_plans(disaster_type);
CREATE INDEX idx_disaster_recovery_plans_priority ON disaster_recovery_plans(priority_level);
CREATE INDEX idx_disaster_recovery_plans_active ON disaster_recovery_plans(is_active);
