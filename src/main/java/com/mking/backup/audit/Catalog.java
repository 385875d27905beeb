package com.mking.backup.audit;

import com.fasterxml.jackson.core.type.TypeReference;
import com.mking.backup.pipeline.Manifest;
import org.apache.camel.ProducerTemplate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the backup catalog from the audit database through the {@code catalog} route (camel-sql). */
public final class Catalog {

    public static final String ROUTE = "direct:catalog";
    public static final String SOURCE_SIZES_ROUTE = "direct:source-sizes";
    public static final String JOBS_ROUTE = "direct:catalog-jobs";
    public static final String COPY_DELETED_ROUTE = "direct:copy-deleted";
    public static final String CONFIGURED_AT_ROUTE = "direct:job-configured-at";
    public static final String RESTORE_POINT_RECORDED_ROUTE = "direct:wal-restore-point-recorded";
    public static final String RESTORE_POINTS_ROUTE = "direct:wal-restore-points";

    private final ProducerTemplate producer;

    public Catalog(ProducerTemplate producer) {
        this.producer = producer;
    }

    /** Newest first; empty filters match everything. */
    public List<CatalogEntry> list(String job, String backupId, String status, int limit) {
        Map<String, Object> query = new HashMap<>();
        query.put("job", job == null ? "" : job);
        query.put("backupId", backupId == null ? "" : backupId);
        query.put("status", status == null ? "" : status);
        query.put("limit", limit);
        List<?> rows = producer.requestBodyAndHeaders(ROUTE, null, query, List.class);
        return rows.stream().map(row -> toEntry((Map<?, ?>) row)).toList();
    }

    /**
     * Successful backups of a job that still have a stored copy whose verification did not fail, newest first: what
     * recovery starts from (a backup with one damaged copy and one good one is restored from the good one).
     */
    public List<CatalogEntry> restorable(String job) {
        return list(job, null, "success", 100_000).stream().filter(CatalogEntry::hasGoodCopy).toList();
    }

    /** Every job with a run in the catalog, by name: jobs since removed from the route files included. */
    public List<String> jobNames() {
        List<?> rows = producer.requestBody(JOBS_ROUTE, null, List.class);
        return rows == null ? List.of() : rows.stream().map(row -> (String) ((Map<?, ?>) row).get("job_name")).toList();
    }

    /** The files and bytes one successful backup's source held (a files snapshot's tree). */
    public record SourceSize(String backupId, long files, long bytes) {
    }

    /** The newest {@code limit} successful backups of {@code job} whose source counted its files, newest first. */
    public List<SourceSize> sourceSizes(String job, int limit) {
        List<?> rows = producer.requestBodyAndHeaders(SOURCE_SIZES_ROUTE, null, Map.of("job", job, "limit", limit), List.class);
        List<SourceSize> sizes = new java.util.ArrayList<>();
        for (Object row : rows == null ? List.of() : rows) {
            Map<?, ?> columns = (Map<?, ?>) row;
            sizes.add(new SourceSize((String) columns.get("backup_id"), ((Number) columns.get("source_files")).longValue(),
                    ((Number) columns.get("source_bytes")).longValue()));
        }
        return sizes;
    }

    /** When the job first appeared in the route files (its backup_configurations row), if known. */
    public Optional<java.time.Instant> configuredAt(String job) {
        List<?> rows = producer.requestBodyAndHeader(CONFIGURED_AT_ROUTE, null, "job", job, List.class);
        if (rows == null || rows.isEmpty()) {
            return Optional.empty();
        }
        Object value = ((Map<?, ?>) rows.get(0)).get("created_at");
        return value == null ? Optional.empty() : Optional.of(((Timestamp) value).toInstant());
    }

    /** Records that one store's copy of a backup was deleted, with the reason. */
    public void markCopyDeleted(String backupId, String store, String reason) {
        producer.sendBodyAndHeaders(COPY_DELETED_ROUTE, null, Map.of("backupId", backupId, "store", store, "reason", reason));
    }

    /** A restore point found in archived WAL: its name, position, the timeline of the file holding it, its time. */
    public record RestorePoint(String name, String lsn, long timeline, String segment, java.time.Instant time) {
    }

    public void recordRestorePoint(String job, String segment, long timeline, String name, String lsn, java.time.Instant time) {
        Map<String, Object> headers = new HashMap<>();
        headers.put("job", job);
        headers.put("name", name);
        headers.put("lsn", lsn);
        headers.put("timeline", (int) timeline);
        headers.put("segment", segment);
        headers.put("createdAt", AuditTimes.utc(time));
        producer.sendBodyAndHeaders(RESTORE_POINT_RECORDED_ROUTE, null, headers);
    }

    /** Restore points of a job with this name (every one when {@code name} is empty), oldest first. */
    public List<RestorePoint> restorePoints(String job, String name) {
        List<?> rows = producer.requestBodyAndHeaders(RESTORE_POINTS_ROUTE, null, Map.of("job", job, "name",
                name == null ? "" : name), List.class);
        return rows.stream().map(row -> (Map<?, ?>) row).map(row -> new RestorePoint((String) row.get("name"),
                (String) row.get("lsn"), ((Number) row.get("timeline")).longValue(), (String) row.get("segment"),
                ((Timestamp) row.get("created_at")).toLocalDateTime().toInstant(java.time.ZoneOffset.UTC))).toList();
    }

    public Optional<CatalogEntry> find(String backupId) {
        return list(null, backupId, null, 1).stream().findFirst();
    }

    private static CatalogEntry toEntry(Map<?, ?> row) {
        List<CatalogEntry.Copy> copies;
        try {
            copies = Manifest.json().readValue((String) row.get("copies"), new TypeReference<>() {
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new CatalogEntry((String) row.get("backup_id"), (String) row.get("job_name"), (String) row.get("source_kind"),
                (String) row.get("method"), (String) row.get("status"), time(row.get("start_time")), time(row.get("end_time")),
                (Integer) row.get("duration_seconds"), (Long) row.get("raw_size_bytes"), (Long) row.get("stored_size_bytes"),
                trim(row.get("sha256")), trim(row.get("raw_sha256")), (String) row.get("compression"),
                (String) row.get("encryption_key_id"), (String) row.get("verification_status"), time(row.get("verification_time")),
                (String) row.get("error_message"), copies);
    }

    private static java.time.LocalDateTime time(Object value) {
        return value == null ? null : ((Timestamp) value).toLocalDateTime();
    }

    private static String trim(Object value) {
        return value == null ? null : value.toString().trim();
    }
}
