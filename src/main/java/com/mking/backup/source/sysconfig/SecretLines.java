package com.mking.backup.source.sysconfig;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The line-by-line split of a text file into what config.tar keeps (a placeholder for each secret line) and what
 * secrets.tar keeps (the original lines with their numbers). Bytes are read as ISO-8859-1, which maps every byte to
 * one char and back, so a file in any encoding comes back byte for byte; line ends ({@code \n}, {@code \r\n}, none at
 * the end) are kept as they were.
 */
final class SecretLines {

    /** What a secret line's value becomes in config.tar. */
    static final String PLACEHOLDER = "<mking-backup:secret>";
    /** A longer line means the file is not configuration text: it is stored as is, like a binary file. */
    static final int MAX_LINE_BYTES = 1 << 20;

    /**
     * The part of a line that names the setting and stays readable: {@code KEY=}, {@code export KEY=}, {@code key: },
     * {@code "key": } (with the indentation before it).
     */
    private static final Pattern KEY_PART = Pattern.compile("^(\\s*(?:export\\s+)?[^\\s=:#;]+\\s*[=:]\\s*)");
    private static final Pattern INDENT = Pattern.compile("^(\\s*)");

    private final Pattern secret;

    SecretLines(Pattern secret) {
        this.secret = secret;
    }

    /** One secret line: its number (from 1) and its original text, without the line end. */
    record SecretLine(long number, String original) {
    }

    /**
     * What reading a file found: {@code text} false when it holds a NUL byte or an over-long line (then nothing was
     * replaced); the bytes read, the bytes config.tar holds, and the secret lines.
     */
    record Scan(boolean text, long size, long redactedSize, List<SecretLine> secrets) {
    }

    /** The line config.tar holds instead of {@code original}: its key part and the placeholder, or the placeholder. */
    static String placeholderFor(String original) {
        Matcher key = KEY_PART.matcher(original);
        if (key.find()) {
            return key.group(1) + PLACEHOLDER;
        }
        Matcher indent = INDENT.matcher(original);
        return (indent.find() ? indent.group(1) : "") + PLACEHOLDER;
    }

    boolean isSecret(String line) {
        return secret.matcher(line).find();
    }

    /**
     * Reads {@code in} to its end and, when {@code redacted} is not null, writes the file as config.tar holds it
     * (only sensible for a file a first scan found to be text).
     */
    Scan scan(InputStream in, OutputStream redacted) throws IOException {
        List<SecretLine> secrets = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        long size = 0;
        long redactedSize = 0;
        long number = 0;
        boolean text = true;
        byte[] buffer = new byte[64 << 10];
        int n;
        while ((n = in.read(buffer)) > 0) {
            size += n;
            if (!text) {
                continue;
            }
            for (int i = 0; i < n; i++) {
                byte b = buffer[i];
                if (b == 0 || line.size() >= MAX_LINE_BYTES) {
                    text = false;
                    break;
                }
                if (b == '\n') {
                    number++;
                    redactedSize += emit(line, "\n", number, secrets, redacted);
                    line.reset();
                } else {
                    line.write(b);
                }
            }
        }
        if (text && line.size() > 0) {
            number++;
            redactedSize += emit(line, "", number, secrets, redacted);
        }
        return text ? new Scan(true, size, redactedSize, List.copyOf(secrets)) : new Scan(false, size, size, List.of());
    }

    /** Writes one line (replaced when secret) and its end; returns the bytes written. */
    private long emit(ByteArrayOutputStream lineBytes, String end, long number, List<SecretLine> secrets,
                      OutputStream redacted) throws IOException {
        String line = lineBytes.toString(StandardCharsets.ISO_8859_1);
        String terminator = end;
        if (end.equals("\n") && line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
            terminator = "\r\n";
        }
        String kept = line;
        if (isSecret(line)) {
            secrets.add(new SecretLine(number, line));
            kept = placeholderFor(line);
        }
        byte[] bytes = (kept + terminator).getBytes(StandardCharsets.ISO_8859_1);
        if (redacted != null) {
            redacted.write(bytes);
        }
        return bytes.length;
    }

    /** secrets.tar's entry for one file's lines: {@code NUMBER<TAB>ORIGINAL} per line. */
    static byte[] encode(List<SecretLine> secrets) {
        StringBuilder text = new StringBuilder();
        for (SecretLine secret : secrets) {
            text.append(secret.number()).append('\t').append(secret.original()).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The lines of {@link #encode}; a malformed entry names its line, never its content. */
    static List<SecretLine> decode(byte[] entry, String file) throws IOException {
        List<SecretLine> secrets = new ArrayList<>();
        String[] lines = new String(entry, StandardCharsets.ISO_8859_1).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (i == lines.length - 1 && lines[i].isEmpty()) {
                break;
            }
            int tab = lines[i].indexOf('\t');
            if (tab < 1 || !lines[i].substring(0, tab).matches("\\d{1,18}")) {
                throw new IOException("secrets.tar's entry for " + file + " is malformed at its line " + (i + 1));
            }
            secrets.add(new SecretLine(Long.parseLong(lines[i].substring(0, tab)), lines[i].substring(tab + 1)));
        }
        return secrets;
    }
}
