package com.mking.backup.export;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.mking.backup.pipeline.Manifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code catalog.json} at the top of an export (of each volume): what the export holds, as the audit catalog knew it
 * (backup id, job, kind, times, sizes, checksums, key ids) and where each file is (its key, stored size, SHA-256 and
 * volume). Key ids and fingerprints only: never key material, never a store's credentials.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExportCatalog(String format, Instant createdAt, String createdBy, String host, Selection selection,
                            Long volumeSize, int volumes, int volume, List<Backup> backups, List<WalSet> wal,
                            List<SharedSet> shared, List<Key> keys, long files, long bytes) {

    public static final String FILE_NAME = "catalog.json";
    public static final String FORMAT = "mking-backup export 1";

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** What the operator asked for (empty: everything good in the catalog). */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Selection(List<String> jobs, String since, List<String> backupIds) {
    }

    /** One file of the export: its key (its path below the volume), stored size, SHA-256 and volume (1-based). */
    public record FileRef(String key, long size, String sha256, int volume) {
    }

    /** One backup: as the catalog had it, its manifest's key and every file it needs. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Backup(String backupId, String job, String source, String method, Instant startedAt, Instant finishedAt,
                         long rawSize, long storedSize, String sha256, String rawSha256, String compression,
                         Manifest.Encryption encryption, String verification, String manifestKey, String copiedFrom,
                         List<FileRef> files, Recovery recovery) {

        /** The volume holding its manifest (the last of its files). */
        public int volume() {
            return files.stream().filter(file -> file.key().equals(manifestKey)).findFirst().map(FileRef::volume).orElse(1);
        }
    }

    /** A pg-physical base backup: the WAL chain the export holds for it, along {@code timeline}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Recovery(long timeline, String walFrom, String walThrough, long segments, String gap,
                           Instant recoverableUntil) {
    }

    /** The archived WAL of one job the export holds: every file from the oldest exported base backup's start on. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record WalSet(String job, List<Long> timelines, String first, String last, int count, long bytes,
                         Instant lastTransaction, List<FileRef> files) {
    }

    /** Objects a job's backups share (a files job's packs), each copied once. */
    public record SharedSet(String job, String kind, List<FileRef> files) {
    }

    /** An encryption key the export's data needs: its id and fingerprint (never the key), and the jobs using it. */
    public record Key(String keyId, String algorithm, String fingerprint, List<String> jobs) {
    }

    /** Every file the catalog names. */
    public List<FileRef> allFiles() {
        List<FileRef> all = new ArrayList<>();
        shared.forEach(set -> all.addAll(set.files()));
        backups.forEach(backup -> all.addAll(backup.files()));
        wal.forEach(set -> all.addAll(set.files()));
        return all;
    }

    /** The same catalog as it is written into volume {@code number}. */
    public ExportCatalog inVolume(int number) {
        return new ExportCatalog(format, createdAt, createdBy, host, selection, volumeSize, volumes, number, backups, wal,
                shared, keys, files, bytes);
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("the export catalog cannot be serialised", e);
        }
    }

    public static ExportCatalog read(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            ExportCatalog catalog = JSON.readValue(in, ExportCatalog.class);
            if (!FORMAT.equals(catalog.format())) {
                throw new IOException(file + " is not a catalog of this tool's exports (format '" + catalog.format() + "')");
            }
            return catalog.withLists();
        }
    }

    private ExportCatalog withLists() {
        return new ExportCatalog(format, createdAt, createdBy, host, selection, volumeSize, volumes, volume,
                backups == null ? List.of() : backups, wal == null ? List.of() : wal, shared == null ? List.of() : shared,
                keys == null ? List.of() : keys, files, bytes);
    }

    static Stream<String> jobs(ExportCatalog catalog) {
        return catalog.backups().stream().map(Backup::job).distinct();
    }
}
