package com.mking.backup.restore;

import com.mking.backup.audit.AuditTimes;
import com.mking.backup.exec.RunningTool;
import com.mking.backup.job.JobSpec;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.source.RestoreRequest;
import com.mking.backup.store.Store;
import com.mking.backup.audit.AdvisoryLocks;
import com.mking.backup.audit.ProcessIdentity;

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
    private String manifestKey;
    private Manifest manifest;
    /** Index of the artefact being restored; the route loops over them in the manifest's order. */
    private int artefactIndex = -1;
    private Integer taskId;
    private int checksumsVerified;
    private boolean targetPrepared;
    private RunningTool tool;
    private Instant finishedAt;
    private String error;
    private RestoreFault fault;
    private boolean succeeded;
    private java.util.function.Supplier<java.util.Optional<String>> failureExplanation = java.util.Optional::empty;
    private java.util.Map<String, String> reached = java.util.Map.of();

    public RestoreTask(RestoreRequest request, Instant startedAt) {
        this.request = request;
        this.startedAt = startedAt;
    }

    void located(JobSpec job, Store store, String manifestKey, Manifest manifest) {
        this.job = job;
        this.store = store;
        this.manifestKey = manifestKey;
        this.manifest = manifest;
    }

    /** Moves on to the next artefact of the backup. */
    void nextArtefact() {
        artefactIndex++;
        decodedFile = null;
        streamed = null;
        inProcess = null;
    }

    /** The artefact being restored. */
    public Manifest.Artefact artefact() {
        return manifest.artefacts().get(artefactIndex);
    }

    /** How many artefacts the restore reads (the route loops over them). */
    public int getArtefactCount() {
        return manifest == null ? 0 : manifest.artefacts().size();
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

    /** Where the artefact being restored is stored. */
    public String dataKey() {
        return Manifest.dataKey(manifestKey, artefact());
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

    private java.nio.file.Path decodedFile;
    private com.mking.backup.exec.HandedBackInputStream streamed;
    private com.mking.backup.source.Source.ArtefactRestore inProcess;

    com.mking.backup.source.Source.ArtefactRestore inProcess() {
        return inProcess;
    }

    void inProcess(com.mking.backup.source.Source.ArtefactRestore restore) {
        this.inProcess = restore;
    }

    /** The private file a parallel restore reads, removed when the restore ends. */
    java.nio.file.Path decodedFile() {
        return decodedFile;
    }

    void decodedFile(java.nio.file.Path file) {
        this.decodedFile = file;
    }

    /** The decoded stream fed to a streaming restore, read to its end once the tool is done. */
    com.mking.backup.exec.HandedBackInputStream streamed() {
        return streamed;
    }

    void streamed(com.mking.backup.exec.HandedBackInputStream input) {
        this.streamed = input;
    }

    /** The artefact being restored was read whole and its checksums matched. */
    void markChecksumVerified() {
        this.checksumsVerified++;
    }

    void succeeded(Instant at) {
        this.succeeded = true;
        this.finishedAt = at;
    }

    private AdvisoryLocks.Lock lock;
    private AdvisoryLocks.Lock targetLock;

    /** Held while this task writes into its target: two restores into one target would share its scratch space. */
    void targetLock(AdvisoryLocks.Lock lock) {
        this.targetLock = lock;
    }

    void lock(AdvisoryLocks.Lock lock) {
        this.lock = lock;
    }

    void releaseLock() {
        if (targetLock != null) {
            targetLock.close();
            targetLock = null;
        }
        if (lock != null) {
            lock.close();
            lock = null;
        }
    }

    /** What the restore reached (a recovery: the WAL position and timeline), recorded in the audit row. */
    void reached(java.util.Map<String, String> facts) {
        this.reached = facts;
    }

    /** One fact the restore reached, e.g. the directory it restored into. */
    public java.util.Optional<String> reachedValue(String name) {
        return java.util.Optional.ofNullable(reached.get(name));
    }

    /** A better account of a failure than the exception's, when one is known by then (an unreadable WAL file). */
    public void explainFailure(java.util.function.Supplier<java.util.Optional<String>> explanation) {
        this.failureExplanation = explanation;
    }

    java.util.Optional<String> failureExplanation() {
        return failureExplanation.get();
    }

    void failed(String error, RestoreFault fault, Instant at) {
        this.error = error;
        this.fault = fault;
        this.finishedAt = at;
    }

    /** Where a failed restore's fault lies; null until it failed. */
    public RestoreFault fault() {
        return fault;
    }

    /**
     * The restore failed on what the operator asked, found only once the backup was read (an --include that matches no
     * path of the snapshot): nothing is wrong with the backup or the target, so nobody is alerted.
     */
    public boolean isOperatorMistake() {
        return fault == RestoreFault.OPERATOR_MISTAKE;
    }

    /** The audit status of a restore that did not succeed: 'cancelled' when it stopped on what was asked, else 'failed'. */
    public String getEndedStatus() {
        return isOperatorMistake() ? "cancelled" : "failed";
    }

    // --- read by the audit SQL -------------------------------------------------------------------

    public String getBackupId() {
        return request.backupId();
    }

    public String getRestoreType() {
        return request.target().recoveryTarget().isPresent() ? "point_in_time" : request.target().partial() ? "partial" : "full";
    }

    /** The recovery target time (UTC) of a point-in-time restore (a restore point's creation time), else null. */
    public LocalDateTime getRestorePoint() {
        return request.target().targetInstant().map(AuditTimes::utc).orElse(null);
    }

    public String getRestorePointName() {
        return request.target().restorePointName().orElse(null);
    }

    public String getRecoveryTarget() {
        return request.target().recoveryTarget().orElse(null);
    }

    public String getReachedLsn() {
        return reached.get(com.mking.backup.source.Source.REACHED_POSITION);
    }

    public Integer getReachedTimeline() {
        String timeline = reached.get(com.mking.backup.source.Source.REACHED_TIMELINE);
        return timeline == null ? null : Integer.valueOf(timeline);
    }

    /** The process running this restore ("host:pid"), so a restore whose process died can be told apart. */
    public String getProcessId() {
        return ProcessIdentity.current();
    }

    public String getTarget() {
        return request.target().describe();
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
        return manifest != null && checksumsVerified == manifest.artefacts().size();
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

    /** What the source reports it wrote (a files snapshot: its files' bytes), else the backup's raw size. */
    public Long getRestoredBytes() {
        String bytes = reached.get(com.mking.backup.source.Source.REACHED_BYTES);
        return bytes != null ? Long.valueOf(bytes) : manifest == null ? null : manifest.rawSize();
    }

    /** Files written, as the source reports them; 1 for a restore into one dump, database or directory. */
    public int getRestoredFileCount() {
        String files = reached.get(com.mking.backup.source.Source.REACHED_FILES);
        return files != null ? Integer.parseInt(files) : 1;
    }

    public String getErrorMessage() {
        return error;
    }
}
