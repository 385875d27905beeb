package com.mking.backup.source;

import com.mking.backup.job.JobSpec;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.store.Store;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * A source whose backups share stored data (a files snapshot references packs earlier runs wrote): retention deletes
 * backups, then {@link #sweep} removes only what no remaining backup references; verification checks that data too.
 */
public interface SharedData {

    /**
     * Mark and sweep in one store: every backup of the job still in the store, except {@code going} (what this prune
     * deletes), marks what it references; the rest is removed, or in a dry run only listed. A backup whose references
     * cannot be read stops the sweep before anything is removed.
     */
    Sweep sweep(JobSpec job, Store store, Set<String> going, boolean dryRun) throws IOException;

    /** What a sweep found: shared objects kept, and those unreferenced (removed unless a dry run) with their bytes. */
    record Sweep(int kept, List<String> unreferenced, long bytes) {
    }

    /**
     * Checks the shared data one backup's copy in {@code store} references: every object read and compared with its
     * stored SHA-256, and a rotating sample of files decoded and compared with their SHA-256; {@code readAll}: every object and every file
     * decoded. Returns what was checked, in words; a bad copy throws a CorruptArtefactException.
     */
    String verifyShared(JobSpec job, Store store, String manifestKey, Manifest manifest, boolean readAll) throws IOException;

    /**
     * Why one backup's copy in {@code store} cannot be restored from there because shared data it references was found
     * damaged (verifying another backup that shares it), or empty. Cheap: reads no shared data, only what is marked.
     */
    java.util.Optional<String> referencesDamaged(String job, Store store, String manifestKey, Manifest manifest)
            throws IOException;

    /**
     * The shared objects one backup's copy in {@code store} references, each with its stored size and SHA-256 (an offline
     * export copies them beside the backup and checks each against these). May decode the backup's own index (its key is
     * needed then).
     */
    List<StoredObject> sharedObjects(String job, Store store, String manifestKey, Manifest manifest) throws IOException;

    /** A stored object outside a backup's own directory: its key, stored size and stored SHA-256. */
    record StoredObject(String key, long size, String sha256) {
    }
}
