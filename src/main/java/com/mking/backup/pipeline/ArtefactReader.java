package com.mking.backup.pipeline;

import com.mking.backup.store.Store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Reads a stored artefact back: checks the stored bytes against the manifest, then decrypts and
 * decompresses them, checking the raw SHA-256 too when the stream ends.
 */
public final class ArtefactReader {

    private final Keyring keyring;

    public ArtefactReader(Keyring keyring) {
        this.keyring = keyring;
    }

    /**
     * Reads the whole stored copy and compares size and SHA-256 with the manifest; throws
     * {@link ChecksumMismatchException} when they differ.
     */
    public void verifyStored(Store store, String key, Manifest.Artefact artefact) throws IOException {
        Sha256.Sized actual = Sha256.of(store.get(key));
        String what = key + " in store '" + store.name() + "'";
        if (actual.size() != artefact.storedSize()) {
            throw new ChecksumMismatchException(what + " (size " + actual.size() + " instead of " + artefact.storedSize() + ")",
                    artefact.storedSha256(), actual.sha256());
        }
        if (!actual.sha256().equals(artefact.storedSha256())) {
            throw new ChecksumMismatchException(what, artefact.storedSha256(), actual.sha256());
        }
    }

    /**
     * Opens the original (raw) bytes of the artefact. Both checksums are checked as the stream ends:
     * a reader that consumes to the end gets an exception instead of a clean EOF on any mismatch.
     */
    public InputStream openRaw(Store store, String key, Manifest manifest, Manifest.Artefact artefact) throws IOException {
        InputStream stored = new CheckedInputStream(store.get(key), artefact.storedSha256(),
                key + " in store '" + store.name() + "'");
        InputStream decrypted = stored;
        if (manifest.encryption() != null) {
            checkKey(manifest.encryption());
            decrypted = keyring.decrypt(stored, manifest.encryption().keyId(), manifest.backupId());
        }
        InputStream raw = Compression.parse(manifest.compression()).decompress(decrypted);
        return new CheckedInputStream(raw, artefact.rawSha256(), "decoded " + artefact.name());
    }

    private void checkKey(Manifest.Encryption encryption) throws IOException {
        String fingerprint = keyring.fingerprint(encryption.keyId());
        if (!fingerprint.equals(encryption.keyFingerprint())) {
            throw new IOException("wrong encryption key: the backup was encrypted with key '" + encryption.keyId()
                    + "' (fingerprint " + encryption.keyFingerprint() + ") but the key file of that id has fingerprint "
                    + fingerprint + "; restore the original key file into mking.encryption.key-dir");
        }
    }

    /** Computes SHA-256 while reading and fails at end of stream when it differs from the expected one. */
    private static final class CheckedInputStream extends FilterInputStream {
        private final MessageDigest digest = Sha256.newDigest();
        private final String expected;
        private final String what;
        private boolean checked;

        CheckedInputStream(InputStream in, String expected, String what) {
            super(in);
            this.expected = expected;
            this.what = what;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                digest.update(buffer, offset, n);
            } else if (n < 0 && !checked) {
                checked = true;
                String actual = Sha256.hex(digest.digest());
                if (!actual.equals(expected)) {
                    throw new ChecksumMismatchException(what, expected, actual);
                }
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            throw new IOException("skipping would bypass the checksum");
        }
    }
}
