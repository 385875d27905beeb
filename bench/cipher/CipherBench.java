import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.Security;

/**
 * One measurement in a fresh JVM, as a backup or a restore meets the cipher: encrypt SIZE MiB of random data into
 * FILE with the streaming AEAD mking-backup uses, or decrypt FILE. Args: encrypt|decrypt PROVIDER SEGMENT_BYTES SIZE_MIB FILE.
 * Prints the MB/s and the seconds the provider took to load.
 */
public class CipherBench {
    public static void main(String[] args) throws Exception {
        boolean encrypt = args[0].equals("encrypt");
        String provider = args[1];
        int segment = Integer.parseInt(args[2]);
        long total = Long.parseLong(args[3]) << 20;
        Path file = Path.of(args[4]);
        long start = System.nanoTime();
        switch (provider) {
            case "conscrypt" -> Security.insertProviderAt(org.conscrypt.Conscrypt.newProvider(), 1);
            case "accp" -> com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider.install();
            default -> { }
        }
        double load = (System.nanoTime() - start) / 1e9;
        byte[] key = "a fixed key: only speed is measured".substring(0, 32).getBytes();
        AesGcmHkdfStreaming aead = new AesGcmHkdfStreaming(key, "HmacSha256", 32, segment, 0);
        start = System.nanoTime();
        if (encrypt) {
            byte[] chunk = new byte[1 << 18];
            new SecureRandom().nextBytes(chunk);
            try (OutputStream out = aead.newEncryptingStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16),
                    new byte[]{1})) {
                for (long n = 0; n < total; n += chunk.length) {
                    out.write(chunk);
                }
            }
        } else {
            try (InputStream in = aead.newDecryptingStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16),
                    new byte[]{1})) {
                in.transferTo(OutputStream.nullOutputStream());
            }
        }
        System.out.printf("%.0f %.2f%n", total / ((System.nanoTime() - start) / 1e9) / 1e6, load);
    }
}
