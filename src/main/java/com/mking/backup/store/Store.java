package com.mking.backup.store;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Where backup artefacts live. Every implementation must pass {@code StoreContractTest}.
 *
 * <p>Contract:
 * <ul>
 *   <li>Keys are relative, '/'-separated paths without "..", e.g. {@code job/2026/11/25/id/data.zst}.</li>
 *   <li>{@link #put} is atomic: readers see either nothing or the whole object, never a prefix. If the
 *       stream throws, the put fails and nothing is published under {@code key}.</li>
 *   <li>{@link #get} streams; it never loads the object in memory.</li>
 *   <li>{@link #delete} of a missing key is not an error (deletion is idempotent).</li>
 *   <li>{@link #list} is recursive and returns every key under the prefix.</li>
 * </ul>
 */
public interface Store {

    /** Name used in route files, manifests and audit rows, e.g. {@code local} or {@code minio}. */
    String name();

    /** Stores the whole stream under {@code key}, atomically. Returns the number of bytes stored. */
    long put(String key, InputStream data) throws IOException;

    /**
     * {@link #put} of data the caller reads back and compares with its SHA-256 before it counts (verify-after-write):
     * the store may leave out checks of its own on the way (an S3 store sends large bodies without MD5, unsigned).
     */
    default long putReadBack(String key, InputStream data) throws IOException {
        return put(key, data);
    }

    /** Opens the object for reading. Fails with {@link java.io.FileNotFoundException} when absent. */
    InputStream get(String key) throws IOException;

    /** Size of the object, or empty when it does not exist. */
    Optional<Long> size(String key) throws IOException;

    /** Every key under the prefix (recursive), in no particular order. */
    List<String> list(String prefix) throws IOException;

    void delete(String key) throws IOException;

    /**
     * Removes what interrupted writes under {@code prefix} left behind and begun before {@code startedBefore}:
     * temporary files of a directory, unfinished multipart uploads of a bucket. None of it is visible to
     * {@link #list} or {@link #get}, but it takes space (and costs money) until removed. Returns how many
     * leftovers were removed.
     */
    int removeIncomplete(String prefix, java.time.Instant startedBefore) throws IOException;

    /**
     * The SHA-256 of a stored object computed where it is stored, when the store can (an SFTP server running
     * {@code sha256sum}): a copy is then checked without its bytes travelling back. Empty: read it back.
     */
    default Optional<String> storedSha256(String key) throws IOException {
        return Optional.empty();
    }

    /** Used and total bytes of the filesystem that holds the store, when the store can tell (a remote {@code df}). */
    default Optional<long[]> filesystemUsage() throws IOException {
        return Optional.empty();
    }

    /**
     * Until when the stored object cannot be deleted or overwritten (an S3 object lock), when it is locked now. Prune
     * keeps such copies and deletes them at its first run after the lock ends.
     */
    default Optional<java.time.Instant> lockedUntil(String key) throws IOException {
        return Optional.empty();
    }

    /**
     * True when this store's credentials can write but not delete (an SFTP account restricted by a forced command): prune
     * and sweeps leave it alone, and run from a privileged configuration of the same store instead.
     */
    default boolean appendOnly() {
        return false;
    }

    /**
     * Whether a failure of this store is worth another try: a reset connection, a 5xx answer, a timeout, never a
     * missing key or a refused credential. {@link RetryingStore} retries idempotent operations on it.
     */
    default boolean isTransient(Throwable failure) {
        return false;
    }

    /** The directory of a store on this machine's filesystem (its free space is the store's), if it is one. */
    default Optional<java.nio.file.Path> localDirectory() {
        return Optional.empty();
    }

    /** The largest object the store takes, when it has a limit (S3: 10,000 parts of the configured size). */
    default Optional<Long> largestObject() {
        return Optional.empty();
    }

    /** A short human description for logs and errors: never contains credentials. */
    String describe();
}
