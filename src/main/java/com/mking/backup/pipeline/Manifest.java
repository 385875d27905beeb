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
    /** 2: a backup may hold several named artefacts (version 1 manifests, one artefact each, read the same way). */
    public static final int FORMAT_VERSION = 2;

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** One file of the backup: its raw name and its stored (encoded) name beside the manifest. Sizes in bytes; SHA-256 in lowercase hex. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Artefact(String name, String storedName, long rawSize, String rawSha256, long storedSize, String storedSha256) {

        /** The same artefact stored under another name relative to its manifest (e.g. in a subdirectory). */
        public Artefact withStoredName(String relativeName) {
            return new Artefact(name, relativeName, rawSize, rawSha256, storedSize, storedSha256);
        }
    }

    /** Key id and a non-secret fingerprint of the key, to tell "wrong key" from "corrupt data". */
    public record Encryption(String algorithm, String keyId, String keyFingerprint) {
    }

    /** The first artefact: the only one of a single-artefact backup (a WAL file, a database dump). */
    public Artefact artefact() {
        return artefacts.get(0);
    }

    /** The artefact of this name; a manifest that does not list it names what it has. */
    public Artefact artefact(String name) {
        return artefacts.stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("backup " + backupId + " has no artefact '" + name + "' (it has "
                        + artefacts.stream().map(Artefact::name).toList() + ")"));
    }

    /** Stored bytes of all artefacts together. */
    public long storedSize() {
        return artefacts.stream().mapToLong(Artefact::storedSize).sum();
    }

    /** Raw (decoded) bytes of all artefacts together. */
    public long rawSize() {
        return artefacts.stream().mapToLong(Artefact::rawSize).sum();
    }

    /**
     * The backup's stored SHA-256 for the audit: its artefact's when it has one; with several, the SHA-256 of their
     * names and stored SHA-256s (one line each, in order), so it still changes when any artefact does.
     */
    public String storedSha256() {
        return combined(Artefact::storedSha256);
    }

    /** As {@link #storedSha256()}, over the raw (decoded) SHA-256s. */
    public String rawSha256() {
        return combined(Artefact::rawSha256);
    }

    private String combined(java.util.function.Function<Artefact, String> hash) {
        if (artefacts.size() == 1) {
            return hash.apply(artefacts.get(0));
        }
        java.security.MessageDigest digest = Sha256.newDigest();
        artefacts.forEach(a -> digest.update((a.name() + ":" + hash.apply(a) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return Sha256.hex(digest.digest());
    }

    /** Where an artefact is stored: beside the manifest at {@code manifestKey}. */
    public static String dataKey(String manifestKey, Artefact artefact) {
        return manifestKey.substring(0, manifestKey.length() - FILE_NAME.length()) + artefact.storedName();
    }

    /** Every artefact's key beside the manifest at {@code manifestKey}, in the manifest's order. */
    public List<String> dataKeys(String manifestKey) {
        return artefacts.stream().map(artefact -> dataKey(manifestKey, artefact)).toList();
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

    /**
     * What one artefact's encryption is bound to. From format 2 (several artefacts per backup) a backup's artefact is
     * bound to its name too, so two artefacts of one backup cannot be swapped; WAL files and format 1 keep their rule.
     */
    public String associatedData(Artefact artefact) {
        return formatVersion >= 2 && !WAL_SOURCE.equals(source) ? artefactAssociatedData(backupId, artefact.name())
                : associatedData();
    }

    /** The writer's side of {@link #associatedData(Artefact)} for a backup's artefact. */
    public static String artefactAssociatedData(String backupId, String artefactName) {
        return backupId + "/" + artefactName;
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
