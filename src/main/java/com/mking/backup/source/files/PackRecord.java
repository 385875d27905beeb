package com.mking.backup.source.files;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.mking.backup.pipeline.Manifest;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One pack of a files job: many small files' content (or parts of a large one) stored as one object under
 * {@code <job>/packs/<id[0..1]>/<id><suffix>}, encoded by the pipeline like any artefact (zstd, AES-GCM bound to the job
 * and pack id). A snapshot's {@code packs.idx} lists every pack its index references, so that it restores alone.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PackRecord(String id, String key, long rawSize, String rawSha256, long storedSize, String storedSha256,
                         String compression, Manifest.Encryption encryption) {

    static final String SOURCE = "files-pack";
    static final String ARTEFACT = "pack";

    /** The pack's key in a store: a folder per first two hex digits keeps folders small. */
    static String key(String job, String id, String storedSuffix) {
        return job + "/packs/" + id.substring(0, 2) + "/" + id + storedSuffix;
    }

    /** The prefix of every pack of a job. */
    static String prefix(String job) {
        return job + "/packs/";
    }

    /** Beside a pack that failed verification in a store: no later snapshot builds on that pack (its content is stored again). */
    static String damagedMarker(String job, String id) {
        return prefix(job) + id.substring(0, 2) + "/" + id + DAMAGED;
    }

    static final String DAMAGED = ".damaged";

    /** Ids of the job's packs marked damaged in {@code store}. */
    static java.util.Set<String> damagedIn(com.mking.backup.store.Store store, String job) throws java.io.IOException {
        java.util.Set<String> damaged = new java.util.HashSet<>();
        for (String key : store.list(prefix(job))) {
            if (key.endsWith(DAMAGED)) {
                damaged.add(idOf(key));
            }
        }
        return damaged;
    }

    /** The id of a pack from its key (the file name up to the first dot). */
    static String idOf(String key) {
        String name = key.substring(key.lastIndexOf('/') + 1);
        int dot = name.indexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    /** What the encryption of a pack is bound to: its job and id, so a pack cannot be passed off as another. */
    static String backupIdOf(String job, String id) {
        return job + "/packs/" + id;
    }

    /** The pack as the pipeline's reader takes it: a one-artefact manifest. */
    Manifest manifest(String job) {
        return new Manifest(Manifest.FORMAT_VERSION, backupIdOf(job, id), job, SOURCE, "pack", Instant.EPOCH, Instant.EPOCH,
                null, null, compression, encryption, List.of(artefact()), Map.of());
    }

    Manifest.Artefact artefact() {
        return new Manifest.Artefact(ARTEFACT, key.substring(key.lastIndexOf('/') + 1), rawSize, rawSha256, storedSize,
                storedSha256);
    }
}
