package com.mking.backup.job;

import com.mking.backup.verify.Verifier;
import com.mking.backup.exec.RunningOutput;
import com.mking.backup.pipeline.Manifest;

import java.time.Instant;
import com.mking.backup.audit.AuditTimes;
import com.mking.backup.audit.AdvisoryLocks;
import com.mking.backup.audit.ProcessIdentity;
import com.mking.backup.source.Source;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The state of one backup run as it moves through the {@code backup-run} route (an exchange property).
 * Getters are JavaBean-style because the audit SQL reads them with {@code :#${exchangeProperty.run.x}}.
 * Audit times are UTC.
 */
public final class BackupRun {

    public enum Status { RUNNING, SUCCESS, FAILED, SKIPPED }

    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY_PATH = DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);

    private final JobSpec job;
    private final String method;
    private final String backupId;
    private final Instant startedAt;
    private final String triggeredBy;
    private final AtomicLong progress;
    private final List<StoredCopy> copies = new ArrayList<>();
    private List<Verifier.CopyResult> readBack = List.of();
    private volatile Status status = Status.RUNNING;
    private Instant finishedAt;
    private Integer executionId;
    private Manifest manifest;
    private String error;
    private RunningOutput tool;
    private AdvisoryLocks.Lock lock;
    private Source.Description description;
    private List<Source.Output> outputs = List.of();
    /** Artefacts written into every store so far, in order, and their keys: removed again if the run fails. */
    private final List<Manifest.Artefact> written = new ArrayList<>();
    private final List<String> writtenKeys = new ArrayList<>();
    private final java.util.Map<String, String> toolDetails = new java.util.TreeMap<>();
    /** The stages the next artefact's bytes will pass, added by the route's steps before the data flows. */
    private com.mking.backup.pipeline.ArtefactStages stages;

    public BackupRun(JobSpec job, String method, Instant startedAt, String triggeredBy, AtomicLong progress) {
        this.job = job;
        this.progress = progress;
        this.method = method;
        this.startedAt = startedAt;
        this.triggeredBy = triggeredBy;
        this.backupId = ID_TIME.format(startedAt) + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
    }

    /** Store prefix of this backup: {@code <job>/<yyyy>/<mm>/<dd>/<backup-id>/}. */
    public String keyPrefix() {
        return keyPrefix(job.name(), startedAt, backupId);
    }

    /** Store prefix of any backup, from its audit row (the sweep of interrupted runs needs it). */
    public static String keyPrefix(String job, Instant startedAt, String backupId) {
        return job + "/" + DAY_PATH.format(startedAt) + "/" + backupId + "/";
    }

    public JobSpec job() {
        return job;
    }

    public AtomicLong progress() {
        return progress;
    }

    /** What verify-after-write found for one artefact, copy by copy; a copy is as good as its worst artefact. */
    public void recordReadBack(List<Verifier.CopyResult> results) {
        readBack = readBack.isEmpty() ? List.copyOf(results) : Verifier.combine(readBack, results);
    }

    public List<Verifier.CopyResult> getReadBack() {
        return readBack;
    }

    public List<StoredCopy> copies() {
        return copies;
    }

    public Status status() {
        return status;
    }

    public Manifest manifest() {
        return manifest;
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

    public RunningOutput tool() {
        return tool;
    }

    public void tool(RunningOutput tool) {
        this.tool = tool;
    }

    public Source.Description description() {
        return description;
    }

    public void description(Source.Description description) {
        this.description = description;
    }

    public void outputs(List<Source.Output> outputs) {
        if (outputs.isEmpty()) {
            throw new IllegalStateException("source " + job.source() + " named no artefact to back up");
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Source.Output output : outputs) {
            // names become store keys beside the manifest: unique, plain, never the manifest's own
            if (!output.name().matches("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*") || output.name().contains("..")
                    || output.name().equals(Manifest.FILE_NAME) || !names.add(output.name())) {
                throw new IllegalStateException("source " + job.source() + " named an artefact '" + output.name()
                        + "' that is repeated or not a plain relative file name");
            }
        }
        this.outputs = List.copyOf(outputs);
    }

    /** The artefact to dump next: the first not yet written. */
    public Source.Output nextOutput() {
        return outputs.get(written.size());
    }

    public com.mking.backup.pipeline.ArtefactStages stages() {
        return stages;
    }

    public void stages(com.mking.backup.pipeline.ArtefactStages stages) {
        this.stages = stages;
    }

    /** Facts the tools printed (see Source.resultDetails), for the manifest's details. */
    public void toolDetails(java.util.Map<String, String> details) {
        toolDetails.putAll(details);
    }

    public java.util.Map<String, String> toolDetails() {
        return toolDetails;
    }

    public void written(Manifest.Artefact artefact, String dataKey) {
        written.add(artefact);
        writtenKeys.add(dataKey);
    }

    public List<Manifest.Artefact> writtenArtefacts() {
        return List.copyOf(written);
    }

    /** Keys written so far (data only; the manifest is written last, by the publisher). */
    public List<String> writtenKeys() {
        return List.copyOf(writtenKeys);
    }

    public AdvisoryLocks.Lock lock() {
        return lock;
    }

    public void lock(AdvisoryLocks.Lock lock) {
        this.lock = lock;
    }

    public void recordExecutionId(Integer executionId) {
        this.executionId = executionId;
    }

    public void succeeded(Manifest manifest, List<StoredCopy> copies, Instant finishedAt) {
        this.manifest = manifest;
        this.copies.addAll(copies);
        this.finishedAt = finishedAt;
        this.status = Status.SUCCESS;
    }

    public void failed(String error, Instant finishedAt) {
        this.error = error;
        this.finishedAt = finishedAt;
        this.status = Status.FAILED;
    }

    public void skipped(String reason, Instant finishedAt) {
        this.error = reason;
        this.finishedAt = finishedAt;
        this.status = Status.SKIPPED;
    }

    // --- read by the audit SQL -------------------------------------------------------------------

    public String getBackupId() {
        return backupId;
    }

    public String getJobName() {
        return job.name();
    }

    public String getSourceKind() {
        return job.source();
    }

    public String getMethod() {
        return method;
    }

    public String getTriggeredBy() {
        return triggeredBy;
    }

    public Integer getExecutionId() {
        return executionId;
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

    public String getErrorMessage() {
        return error;
    }

    public String getToolVersion() {
        return description == null ? null : description.toolVersion();
    }

    public String getServerVersion() {
        return description == null ? null : description.serverVersion();
    }

    public String getProcessId() {
        return ProcessIdentity.current();
    }

    public String getHostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "unknown";
        }
    }

    public Long getStoredSize() {
        return manifest == null ? null : manifest.storedSize();
    }

    public Long getRawSize() {
        return manifest == null ? null : manifest.rawSize();
    }

    public String getStoredSha256() {
        return manifest == null ? null : manifest.storedSha256();
    }

    public String getRawSha256() {
        return manifest == null ? null : manifest.rawSha256();
    }

    public Integer getFileCount() {
        return manifest == null ? null : manifest.artefacts().size();
    }

    /** Files in the backed-up data, where the source counts them (manifest detail {@code files}); null otherwise. */
    public Long getSourceFiles() {
        return detailNumber("files");
    }

    /** Bytes in the backed-up data, where the source counts them (manifest detail {@code bytes}); null otherwise. */
    public Long getSourceBytes() {
        return detailNumber("bytes");
    }

    private Long detailNumber(String key) {
        String value = manifest == null || manifest.details() == null ? null : manifest.details().get(key);
        return value == null || !value.matches("\\d{1,18}") ? null : Long.valueOf(value);
    }

    /** How many artefacts this run dumps (the route loops over them). */
    public int getOutputCount() {
        return outputs.size();
    }

    public String getCompression() {
        return manifest == null ? null : manifest.compression();
    }

    public String getEncryptionKeyId() {
        return manifest == null || manifest.encryption() == null ? null : manifest.encryption().keyId();
    }

    public String getBackupPath() {
        return copies.isEmpty() ? null : copies.get(0).location() + "/" + copies.get(0).dataKey();
    }

    public String getManifestKey() {
        return copies.isEmpty() ? null : copies.get(0).manifestKey();
    }

    public List<StoredCopy> getStoredCopies() {
        return copies;
    }
}
