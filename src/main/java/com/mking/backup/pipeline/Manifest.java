package com.mking.backup.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json}, written beside a backup's data in every store, after the data. Its presence
 * marks the backup complete, and it holds everything a restore needs without the audit database.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(
        int formatVersion,
        String backupId,
        String job,
        String source,
        String method,
        Instant startedAt,
        Instant finishedAt,
        String toolVersion,
        String serverVersion,
        String compression,
        Encryption encryption,
        List<Artefact> artefacts,
        Map<String, String> details) {

    public static final String FILE_NAME = "manifest.json";
    public static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** One file of the backup: its raw name and its stored (encoded) name beside the manifest. Sizes in bytes; SHA-256 in lowercase hex. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Artefact(String name, String storedName, long rawSize, String rawSha256, long storedSize, String storedSha256) {
    }

    /** Key id and a non-secret fingerprint of the key, to tell "wrong key" from "corrupt data". */
    public record Encryption(String algorithm, String keyId, String keyFingerprint) {
    }

    public Artefact artefact() {
        return artefacts.get(0);
    }

    /** Source of archived WAL files; their backup id is the WAL file name. */
    public static final String WAL_SOURCE = "pg-wal";

    /**
     * What the encryption of this manifest's data is bound to, so a data file cannot be passed off as
     * another one: the backup id, and for a WAL file the job and the file name. Writer and reader both
     * take it from here.
     */
    public String associatedData() {
        return associatedData(source, job, backupId);
    }

    public static String associatedData(String source, String job, String backupId) {
        return WAL_SOURCE.equals(source) ? job + "/" + backupId : backupId;
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("manifest cannot be serialised", e);
        }
    }

    public static Manifest read(InputStream in) throws IOException {
        try (in) {
            return JSON.readValue(in, Manifest.class);
        }
    }

    public static ObjectMapper json() {
        return JSON;
    }
}
