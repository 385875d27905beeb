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


**災難恢復自動化腳本**
#!/bin/bash
# 災難恢復主腳本

DISASTER_TYPE=$1  # database, application, full
RECOVERY_POINT=$2 # 恢復時間點
BACKUP_SOURCE=$3  # local, minio, replica

LOG_FILE="/var/log/disaster_recovery.log"
RECOVERY_DIR="/recovery"
NOTIFICATION_EMAIL="admin@mkingfriend.com"

# 記錄恢復開始
echo "$(date): 開始災難恢復 - 類型: $DISASTER_TYPE, 時間點: $RECOVERY_POINT" >> $LOG_FILE

# 發送開始通知
echo "災難恢復已開始\n類型: $DISASTER_TYPE\n時間點: $RECOVERY_POINT" | \
    mail -s "[緊急] MKing Friend 災難恢復開始" $NOTIFICATION_EMAIL

case $DISASTER_TYPE in
    "database")
        echo "執行資料庫恢復..." >> $LOG_FILE
        ./scripts/recover_database.sh $RECOVERY_POINT $BACKUP_SOURCE
        ;;
    "application")
        echo "執行應用程式恢復..." >> $LOG_FILE
        ./scripts/recover_application.sh $RECOVERY_POINT $BACKUP_SOURCE
        ;;
    "full")
        echo "執行完整系統恢復..." >> $LOG_FILE
        ./scripts/recover_database.sh $RECOVERY_POINT $BACKUP_SOURCE
        ./scripts/recover_application.sh $RECOVERY_POINT $BACKUP_SOURCE
        ./scripts/recover_files.sh $RECOVERY_POINT $BACKUP_SOURCE
        ;;
    *)
        echo "未知的災難類型: $DISASTER_TYPE" >> $LOG_FILE
        exit 1
        ;;
esac

# 檢查恢復結果
if [ $? -eq 0 ]; then
    echo "$(date): 災難恢復完成" >> $LOG_FILE
    echo "災難恢復成功完成" | mail -s "[成功] MKing Friend 災難恢復完成" $NOTIFICATION_EMAIL
else
    echo "$(date): 災難恢復失敗" >> $LOG_FILE
    echo "災難恢復失敗，需要人工介入" | mail -s "[失敗] MKing Friend 災難恢復失敗" $NOTIFICATION_EMAIL
    exit 1
fi

# 執行恢復後驗證
./scripts/verify_recovery.sh

**資料庫恢復腳本**
#!/bin/bash
# 資料庫恢復腳本

RECOVERY_POINT=$1
BACKUP_SOURCE=$2
DB_NAME="mking_friend"
DB_USER="postgres"
RECOVERY_DIR="/recovery/database"

echo "$(date): 開始資料庫恢復" >> /var/log/disaster_recovery.log

# 停止應用程式服務
systemctl stop mking-friend
systemctl stop nginx

# 停止 PostgreSQL
systemctl stop postgresql

# 備份當前損壞的資料庫
if [ -d "/var/lib/postgresql/12/main" ]; then
    mv /var/lib/postgresql/12/main /var/lib/postgresql/12/main.corrupted.$(date +%Y%m%d_%H%M%S)
fi

# 創建新的資料目錄
mkdir -p /var/lib/postgresql/12/main
chown postgres:postgres /var/lib/postgresql/12/main
chmod 700 /var/lib/postgresql/12/main

# 根據備份來源恢復
case $BACKUP_SOURCE in
    "local")
        echo "從本地備份恢復..." >> /var/log/disaster_recovery.log
        BACKUP_FILE=$(find /backup/database -name "full_backup_*.dump.gz" | sort -r | head -1)
        gunzip -c $BACKUP_FILE | pg_restore -h localhost -U $DB_USER -d $DB_NAME -v
        ;;
    "minio")
        echo "從 MinIO 備份恢復..." >> /var/log/disaster_recovery.log
        # 下載最新備份
        mc cp minio/mking-friend-backups/database/full/ $RECOVERY_DIR --recursive
        BACKUP_FILE=$(find $RECOVERY_DIR -name "full_backup_*.dump.gz" | sort -r | head -1)
        gunzip -c $BACKUP_FILE | pg_restore -h localhost -U $DB_USER -d $DB_NAME -v
        ;;
    "replica")
        echo "從備用伺服器恢復..." >> /var/log/disaster_recovery.log
        # 從備用伺服器同步
        rsync -av backup-server:/var/lib/postgresql/12/main/ /var/lib/postgresql/12/main/
        ;;
esac

# 啟動 PostgreSQL
systemctl start postgresql

# 等待資料庫啟動
sleep 10

# 驗證資料庫
psql -h localhost -U $DB_USER -d $DB_NAME -c "SELECT COUNT(*) FROM users;" > /dev/null
if [ $? -eq 0 ]; then
    echo "$(date): 資料庫恢復成功" >> /var/log/disaster_recovery.log
else
    echo "$(date): 資料庫恢復失敗" >> /var/log/disaster_recovery.log
    exit 1
fi

# 重啟應用程式服務
systemctl start mking-friend
systemctl start nginx

echo "$(date): 資料庫恢復完成" >> /var/log/disaster_recovery.log


**恢復驗證腳本**
#!/bin/bash
# 恢復驗證腳本

VERIFICATION_LOG="/var/log/recovery_verification.log"
FAILED_CHECKS=0

echo "$(date): 開始恢復驗證" >> $VERIFICATION_LOG

# 1. 資料庫連接測試
echo "檢查資料庫連接..." >> $VERIFICATION_LOG
psql -h localhost -U postgres -d mking_friend -c "SELECT 1;" > /dev/null 2>&1
if [ $? -eq 0 ]; then
    echo "✓ 資料庫連接正常" >> $VERIFICATION_LOG
else
    echo "✗ 資料庫連接失敗" >> $VERIFICATION_LOG
    FAILED_CHECKS=$((FAILED_CHECKS + 1))
fi

# 2. 資料完整性檢查
echo "檢查資料完整性..." >> $VERIFICATION_LOG
USER_COUNT=$(psql -h localhost -U postgres -d mking_friend -t -c "SELECT COUNT(*) FROM users;" | xargs)
if [ $USER_COUNT -gt 0 ]; then
    echo "✓ 用戶數據完整 ($USER_COUNT 用戶)" >> $VERIFICATION_LOG
else
    echo "✗ 用戶數據異常" >> $VERIFICATION_LOG
    FAILED_CHECKS=$((FAILED_CHECKS + 1))
fi

# 3. 應用程式服務檢查
echo "檢查應用程式服務..." >> $VERIFICATION_LOG
systemctl is-active mking-friend > /dev/null 2>&1
if [ $? -eq 0 ]; then
    echo "✓ 應用程式服務運行正常" >> $VERIFICATION_LOG
else
    echo "✗ 應用程式服務異常" >> $VERIFICATION_LOG
    FAILED_CHECKS=$((FAILED_CHECKS + 1))
fi

# 4. Web 服務檢查
echo "檢查 Web 服務..." >> $VERIFICATION_LOG
curl -s -o /dev/null -w "%{http_code}" http://localhost:3000/health | grep -q "200"
if [ $? -eq 0 ]; then
    echo "✓ Web 服務響應正常" >> $VERIFICATION_LOG
else
    echo "✗ Web 服務響應異常" >> $VERIFICATION_LOG
    FAILED_CHECKS=$((FAILED_CHECKS + 1))
fi

# 5. 檔案系統檢查
echo "檢查檔案系統..." >> $VERIFICATION_LOG
if [ -d "/var/www/mking-friend/uploads" ] && [ "$(ls -A /var/www/mking-friend/uploads)" ]; then
    echo "✓ 上傳檔案目錄正常" >> $VERIFICATION_LOG
else
    echo "✗ 上傳檔案目錄異常" >> $VERIFICATION_LOG
    FAILED_CHECKS=$((FAILED_CHECKS + 1))
fi

# 6. Redis 服務檢查
echo "檢查 Redis 服務..." >> $VERIFICATION_LOG
redis-cli ping | grep -q "PONG"
if [ $? -eq 0 ]; then
    echo "✓ Redis 服務正常" >> $VERIFICATION_LOG
else
    echo "✗ Redis 服務異常" >> $VERIFICATION_LOG
    FAILED_CHECKS=$((FAILED_CHECKS + 1))
fi

# 7. 功能測試
echo "執行功能測試..." >> $VERIFICATION_LOG
# 這裡可以添加自動化測試腳本
npm test --silent > /dev/null 2>&1
if [ $? -eq 0 ]; then
    echo "✓ 功能測試通過" >> $VERIFICATION_LOG
else
    echo "✗ 功能測試失敗" >> $VERIFICATION_LOG
    FAILED_CHECKS=$((FAILED_CHECKS + 1))
fi

# 總結驗證結果
echo "$(date): 恢復驗證完成" >> $VERIFICATION_LOG
echo "失敗檢查項目: $FAILED_CHECKS" >> $VERIFICATION_LOG

if [ $FAILED_CHECKS -eq 0 ]; then
    echo "所有驗證項目通過，系統恢復成功" >> $VERIFICATION_LOG
    echo "系統恢復驗證通過\n所有服務運行正常" | \
        mail -s "[成功] MKing Friend 恢復驗證通過" admin@mkingfriend.com
    exit 0
else
    echo "有 $FAILED_CHECKS 個驗證項目失敗，需要人工檢查" >> $VERIFICATION_LOG
    echo "系統恢復驗證失敗\n失敗項目: $FAILED_CHECKS\n請檢查日誌: $VERIFICATION_LOG" | \
        mail -s "[警告] MKing Friend 恢復驗證失敗" admin@mkingfriend.com
    exit 1
fi

