package com.mking.backup.restore;

import com.mking.backup.audit.AuditTimes;
import com.mking.backup.exec.RunningTool;
import com.mking.backup.job.JobSpec;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.source.RestoreRequest;
import com.mking.backup.store.Store;

import java.time.Instant;

import java.time.LocalDateTime;

/**
 * The state of one restore in the {@code restore} route (exchange property {@code restore}); getters
 * are read by the audit SQL. Times are UTC.
 */
public final class RestoreTask {

    private final RestoreRequest request;
    private final Instant startedAt;
    private final java.util.concurrent.atomic.AtomicLong progress = new java.util.concurrent.atomic.AtomicLong();
    private JobSpec job;
    private Store store;
    private String dataKey;
    private Manifest manifest;
    private Integer taskId;
    private boolean checksumVerified;
    private boolean targetPrepared;
    private RunningTool tool;
    private Instant finishedAt;
    private String error;
    private boolean succeeded;

    public RestoreTask(RestoreRequest request, Instant startedAt) {
        this.request = request;
        this.startedAt = startedAt;
    }

    void located(JobSpec job, Store store, String dataKey, Manifest manifest) {
        this.job = job;
        this.store = store;
        this.dataKey = dataKey;
        this.manifest = manifest;
    }

    /** Raw bytes fed to the restore tool so far. */
    public java.util.concurrent.atomic.AtomicLong progress() {
        return progress;
    }

    public RestoreRequest request() {
        return request;
    }

    public JobSpec job() {
        return job;
    }

    public Store store() {
        return store;
    }

    public String dataKey() {
        return dataKey;
    }

    public Manifest manifest() {
        return manifest;
    }

    public boolean succeeded() {
        return succeeded;
    }

    public String error() {
        return error;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public Instant finishedAt() {
        return finishedAt;
    }

    RunningTool tool() {
        return tool;
    }

    void tool(RunningTool tool) {
        this.tool = tool;
    }

    boolean targetPrepared() {
        return targetPrepared;
    }

    void targetPrepared(boolean prepared) {
        this.targetPrepared = prepared;
    }

    public void recordTaskId(Integer taskId) {
        this.taskId = taskId;
    }

    void markChecksumVerified() {
        this.checksumVerified = true;
    }

    void succeeded(Instant at) {
        this.succeeded = true;
        this.finishedAt = at;
    }

    void failed(String error, Instant at) {
        this.error = error;
        this.finishedAt = at;
    }

    // --- read by the audit SQL -------------------------------------------------------------------

    public String getBackupId() {
        return request.backupId();
    }

    public String getRestoreType() {
        return request.options().containsKey("targetTime") || request.options().containsKey("targetName")
                ? "point_in_time" : "full";
    }

    /** The recovery target time (UTC) of a point-in-time restore, else null. */
    public LocalDateTime getRestorePoint() {
        String time = request.options().get("targetInstant");
        return time == null ? null : AuditTimes.utc(Instant.parse(time));
    }

    public String getTarget() {
        return request.target();
    }

    public String getRequestedBy() {
        return request.requestedBy();
    }

    public String getStoreName() {
        return store == null ? request.fromStore() : store.name();
    }

    public boolean getForced() {
        return request.force();
    }

    public Integer getTaskId() {
        return taskId;
    }

    public boolean getChecksumVerified() {
        return checksumVerified;
    }

    public LocalDateTime getStartTime() {
        return AuditTimes.utc(startedAt);
    }

    public LocalDateTime getEndTime() {
        return AuditTimes.utc(finishedAt);
    }

    public Integer getDurationSeconds() {
        return AuditTimes.seconds(startedAt, finishedAt);
    }

    public Long getRestoredBytes() {
        return manifest == null ? null : manifest.artefact().rawSize();
    }

    public String getErrorMessage() {
        return error;
    }
}
