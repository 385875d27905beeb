package com.mking.backup.pipeline;

import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Encryption keys, one file per key: {@code <key-dir>/<key-id>.key} holding 32 random bytes in base64.
 * New backups use the current key; old backups name their key id in the manifest, so rotating keys
 * (add a file, change the current id) never makes an old backup unreadable while its key file stays.
 *
 * <p>Streams are AES-256-GCM in segments (Tink's AES-GCM-HKDF streaming AEAD, {@link EncryptionFormat}): every
 * segment is authenticated, so a restore never reads unauthenticated plaintext and memory stays at one segment.
 */
public final class Keyring {

    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final Map<String, byte[]> keys;
    private final String currentKeyId;

    private Keyring(Map<String, byte[]> keys, String currentKeyId) {
        this.keys = keys;
        this.currentKeyId = currentKeyId;
    }

    /** A keyring without keys: backups are stored unencrypted. */
    public static Keyring none() {
        return new Keyring(Map.of(), null);
    }

    /**
     * Loads every {@code *.key} file of {@code dir}. {@code currentKeyId} may be empty when the keyring is
     * only used to read old backups.
     */
    public static Keyring load(Path dir, String currentKeyId) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("key directory " + dir + " does not exist or is not a directory");
        }
        Map<String, byte[]> keys = new HashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.getFileName().toString().endsWith(".key"))::iterator) {
                String id = file.getFileName().toString().replaceFirst("\\.key$", "");
                keys.put(id, readKey(file));
            }
        }
        String current = currentKeyId == null || currentKeyId.isBlank() ? null : currentKeyId.trim();
        if (current != null && !keys.containsKey(current)) {
            throw new IOException("no key file " + dir.resolve(current + ".key") + " for the current key id '" + current + "'");
        }
        return new Keyring(Map.copyOf(keys), current);
    }

    /** Writes a new random key file readable by its owner only; used by the {@code keygen} command. */
    public static Path generate(Path dir, String keyId) throws IOException {
        requireValidId(keyId);
        if (!Files.isDirectory(dir)) { // a new key directory is its owner's alone; an existing one keeps its mode
            Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        }
        Path file = dir.resolve(keyId + ".key");
        if (Files.exists(file)) {
            throw new IOException(file + " already exists; a key is never overwritten (old backups need it)");
        }
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, Base64.getEncoder().encodeToString(key) + "\n");
        return file;
    }

    public Optional<String> currentKeyId() {
        return Optional.ofNullable(currentKeyId);
    }

    /** A non-secret fingerprint of a key, stored in manifests to tell a wrong key from corrupt data. */
    public String fingerprint(String keyId) throws IOException {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key(keyId), "HmacSHA256"));
            return Sha256.hex(mac.doFinal("mking-backup key fingerprint".getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot fingerprint key '" + keyId + "'", e);
        }
    }

    public OutputStream encrypt(OutputStream out, EncryptionFormat format, String keyId, String associatedData)
            throws IOException {
        try {
            return aead(format, keyId).newEncryptingStream(out, associatedData.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot start encryption with key '" + keyId + "'", e);
        }
    }

    public InputStream decrypt(InputStream in, EncryptionFormat format, String keyId, String associatedData)
            throws IOException {
        try {
            return aead(format, keyId).newDecryptingStream(in, associatedData.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot start decryption with key '" + keyId + "'", e);
        }
    }

    private AesGcmHkdfStreaming aead(EncryptionFormat format, String keyId) throws IOException, GeneralSecurityException {
        return new AesGcmHkdfStreaming(key(keyId), "HmacSha256", 32, format.segmentSize(), 0);
    }

    private byte[] key(String keyId) throws IOException {
        byte[] key = keys.get(keyId);
        if (key == null) {
            throw new KeyUnavailableException("encryption key '" + keyId + "' is not in the keyring: put its file "
                    + keyId + ".key in the directory named by mking.encryption.key-dir");
        }
        return key;
    }

    private static byte[] readKey(Path file) throws IOException {
        String text = Files.readString(file).trim();
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IOException("key file " + file + " is not base64 (create keys with: mking-backup keygen)");
        }
        if (key.length != 32) {
            throw new IOException("key file " + file + " holds " + key.length + " bytes; AES-256 needs 32");
        }
        return key;
    }

    private static void requireValidId(String keyId) {
        if (!KEY_ID.matcher(keyId).matches()) {
            throw new IllegalArgumentException("key id '" + keyId + "' must match " + KEY_ID.pattern());
        }
    }
}
