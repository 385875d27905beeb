package com.mking.backup.pipeline;

import com.mking.backup.store.Store;

import java.io.BufferedInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Reads a stored artefact back: checks the stored bytes against the manifest, then decrypts and
 * decompresses them, checking the raw SHA-256 too when the stream ends.
 *
 * <p>Failures are typed so that callers can tell a bad copy from one that could not be read here:
 * {@link CorruptArtefactException} (checksum, size or authentication mismatch, undecodable or missing
 * data) is evidence against the copy; {@link KeyUnavailableException} and {@link StoreReadException}
 * are not.
 */
public final class ArtefactReader {

    private static final int READ_BUFFER = 256 << 10;
    /**
     * Artefacts from this size are read and decrypted on a thread of their own and decompressed on another, the caller
     * hashing and consuming the raw bytes: three stages that a large restore or read-back spreads over the cores.
     */
    private static final long READ_AHEAD_FROM = 64L << 20;

    private final Keyring keyring;

    public ArtefactReader(Keyring keyring) {
        this.keyring = keyring;
    }

    /**
     * Reads the whole stored copy and compares size and SHA-256 with the manifest; throws
     * {@link ChecksumMismatchException} when they differ.
     */
    public void verifyStored(Store store, String key, Manifest.Artefact artefact) throws IOException {
        String what = key + " in store '" + store.name() + "'";
        java.util.Optional<String> computedThere = store.storedSha256(key);
        if (computedThere.isPresent()) { // the server hashed its copy: compare without reading it back
            java.util.Optional<Long> size = store.size(key);
            if (size.isEmpty()) {
                throw new CorruptArtefactException(what + " is gone");
            }
            if (size.get() != artefact.storedSize()) {
                throw new ChecksumMismatchException(what + " (size " + size.get() + " instead of " + artefact.storedSize() + ")",
                        artefact.storedSha256(), computedThere.get());
            }
            if (!computedThere.get().equals(artefact.storedSha256())) {
                throw new ChecksumMismatchException(what, artefact.storedSha256(), computedThere.get());
            }
            return;
        }
        try (InputStream stored = new CheckedInputStream(openStored(store, key, what), artefact.storedSha256(),
                artefact.storedSize(), what)) {
            stored.transferTo(OutputStream.nullOutputStream());
        }
    }

    /**
     * Reads the copy once to its end through every layer: stored SHA-256 and size, authenticated
     * decryption of every segment, decompression, raw SHA-256 and size. This is what "readable back"
     * means before anything is acknowledged.
     */
    public void verifyDecodable(Store store, String key, Manifest manifest, Manifest.Artefact artefact) throws IOException {
        try (InputStream raw = openRaw(store, key, manifest, artefact)) {
            raw.transferTo(OutputStream.nullOutputStream());
        }
    }

    /** Reads the decoded stream while {@link #verifyWritten} reads a copy back, e.g. the format's own check. */
    @FunctionalInterface
    public interface AlongsideCheck {
        /** May stop before the end: the rest is read after it returns, so every checksum is still compared. */
        void read(InputStream raw) throws Exception;

        AlongsideCheck NONE = raw -> { };
    }

    /**
     * Reads copies just written back, each once and all at the same time. The first is decoded to its end
     * through every layer ({@link #openRaw}), {@code alongside} reading the decoded bytes on the way; every other
     * copy is compared by size and stored SHA-256 with the manifest. Identical bytes decode identically, so the
     * others are proven decodable without decrypting them again. Put the cheapest store to read first.
     * Throws the first thing wrong with any copy.
     */
    public void verifyWritten(List<Store> stores, String key, Manifest manifest, Manifest.Artefact artefact,
                              AlongsideCheck alongside) throws IOException {
        ExecutorService others = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "read-back");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<?>> storedChecks = new ArrayList<>();
            for (Store other : stores.subList(1, stores.size())) {
                storedChecks.add(others.submit(() -> {
                    verifyStored(other, key, artefact);
                    return null;
                }));
            }
            try (InputStream raw = openRaw(stores.get(0), key, manifest, artefact)) {
                alongside.read(raw);
                raw.transferTo(OutputStream.nullOutputStream());
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e.getMessage(), e);
            }
            for (Future<?> check : storedChecks) {
                try {
                    check.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage(), e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("reading the copies back was interrupted");
        } finally {
            others.shutdownNow();
        }
    }

    /**
     * Opens the original (raw) bytes of the artefact. Both checksums are checked as the stream ends:
     * a reader that consumes to the end gets an exception instead of a clean EOF on any mismatch.
     */
    public InputStream openRaw(Store store, String key, Manifest manifest, Manifest.Artefact artefact) throws IOException {
        String what = key + " in store '" + store.name() + "'";
        // before the store is touched: a missing key or a format of a newer version is not a bad copy
        EncryptionFormat format = manifest.encryption() == null ? null : EncryptionFormat.of(manifest.encryption().algorithm());
        if (format != null) {
            checkKey(manifest.encryption());
        }
        InputStream stored = new CheckedInputStream(openStored(store, key, what), artefact.storedSha256(),
                artefact.storedSize(), what);
        InputStream decrypted = stored;
        try {
            if (format != null) {
                decrypted = new DecodingStream(keyring.decrypt(stored, format, manifest.encryption().keyId(),
                        manifest.associatedData(artefact)), "authentication of " + what + " failed (the data was altered, "
                        + "truncated or belongs to another backup)");
            }
            if (artefact.storedSize() >= READ_AHEAD_FROM) {
                decrypted = ReadAheadInputStream.of(decrypted, "read-ahead " + artefact.name());
            }
            InputStream raw = new DecodingStream(Compression.parse(manifest.compression()).decompress(decrypted),
                    "decompressing " + what + " failed");
            if (artefact.rawSize() >= READ_AHEAD_FROM) { // the last stage of its own: the caller only hashes and consumes
                raw = ReadAheadInputStream.of(raw, "decompress-ahead " + artefact.name());
            }
            return new CheckedInputStream(raw, artefact.rawSha256(), artefact.rawSize(), "decoded " + artefact.name()
                    + " of " + what);
        } catch (IOException | RuntimeException e) {
            // the read-ahead thread, if one started, and the store's stream; the first failure is the one to report
            for (InputStream stage : List.of(decrypted, stored)) {
                try {
                    stage.close();
                } catch (IOException | RuntimeException closing) {
                    e.addSuppressed(closing);
                }
            }
            throw DecodingStream.classify(e, "decoding " + what + " failed");
        }
    }

    private static InputStream openStored(Store store, String key, String what) throws IOException {
        try {
            // the decryption asks for one 4 KiB segment at a time: one store read (a system call) each would cost more
            return new StoreStream(new BufferedInputStream(store.get(key), READ_BUFFER), what);
        } catch (FileNotFoundException e) {
            throw new CorruptArtefactException(what + " is missing: its manifest is there but its data is not", e);
        } catch (IOException | RuntimeException e) {
            throw new StoreReadException("cannot read " + what + ": " + e.getMessage(), e);
        }
    }

    /** The key the backup was encrypted with is here (its id and fingerprint): before any of its data is read. */
    public void requireKey(Manifest manifest) throws IOException {
        if (manifest.encryption() != null) {
            checkKey(manifest.encryption());
        }
    }

    private void checkKey(Manifest.Encryption encryption) throws IOException {
        String fingerprint = keyring.fingerprint(encryption.keyId());
        if (!fingerprint.equals(encryption.keyFingerprint())) {
            throw new KeyUnavailableException("wrong encryption key: the backup was encrypted with key '" + encryption.keyId()
                    + "' (fingerprint " + encryption.keyFingerprint() + ") but the key file of that id has fingerprint "
                    + fingerprint + "; restore the original key file into mking.encryption.key-dir");
        }
    }

    /** The store layer: any read failure is a {@link StoreReadException}, never mistaken for bad data above it. */
    private static final class StoreStream extends ChunkFilterInputStream {
        private final String what;

        StoreStream(InputStream in, String what) {
            super(in);
            this.what = what;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            try {
                return in.read(buffer, offset, length);
            } catch (IOException | RuntimeException e) {
                throw new StoreReadException("reading " + what + " failed: " + e.getMessage(), e);
            }
        }
    }

    /** A decoding layer (decryption, decompression): its own failures mean the data is bad. */
    private static final class DecodingStream extends ChunkFilterInputStream {
        private final String failure;

        DecodingStream(InputStream in, String failure) {
            super(in);
            this.failure = failure;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            try {
                return in.read(buffer, offset, length);
            } catch (IOException | RuntimeException e) {
                throw classify(e, failure);
            }
        }

        /**
         * Failures of the layers below pass unchanged, and so does an interruption (the check was cut short, the
         * data is not to blame); anything else from a decoder is corrupt data.
         */
        static IOException classify(Exception e, String failure) {
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof StoreReadException || t instanceof CorruptArtefactException
                        || t instanceof KeyUnavailableException || t instanceof java.io.InterruptedIOException) {
                    return (IOException) t;
                }
            }
            String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            return new CorruptArtefactException(failure + ": " + detail, e);
        }
    }

    /** Computes SHA-256 and size while reading and fails at end of stream when either differs from the manifest. */
    private static final class CheckedInputStream extends ChunkFilterInputStream {
        private final MessageDigest digest = Sha256.newDigest();
        private final String expected;
        private final long expectedSize;
        private final String what;
        private long size;
        private boolean checked;

        CheckedInputStream(InputStream in, String expected, long expectedSize, String what) {
            super(in);
            this.expected = expected;
            this.expectedSize = expectedSize;
            this.what = what;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                digest.update(buffer, offset, n);
                size += n;
            } else if (n < 0 && !checked) {
                checked = true;
                String actual = Sha256.hex(digest.digest());
                if (size != expectedSize) {
                    throw new ChecksumMismatchException(what + " (size " + size + " instead of " + expectedSize + ")",
                            expected, actual);
                }
                if (!actual.equals(expected)) {
                    throw new ChecksumMismatchException(what, expected, actual);
                }
            }
            return n;
        }
    }
}
