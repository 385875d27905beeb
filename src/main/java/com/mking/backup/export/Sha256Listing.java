package com.mking.backup.export;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code export.sha256}: one line per file, {@code <sha256 hex>  <path>}, exactly as {@code sha256sum} writes and
 * {@code sha256sum -c} reads it, paths relative to the directory the listing is in.
 */
public final class Sha256Listing {

    public static final String FILE_NAME = "export.sha256";
    private static final Pattern LINE = Pattern.compile("([0-9a-f]{64}) [ *](.+)");

    private Sha256Listing() {
    }

    /** One line of the listing. */
    public record Line(String sha256, String path) {
        public String text() {
            return sha256 + "  " + path + "\n";
        }
    }

    /** A path sha256sum would have to escape (a backslash, a line break) cannot be listed plainly: refused. */
    public static void requireListable(String path) {
        if (path.contains("\\") || path.contains("\n") || path.contains("\r")) {
            throw new IllegalArgumentException("the key '" + path.replace("\n", "\\n") + "' cannot be listed for sha256sum");
        }
    }

    public static long lineLength(String path) {
        return 64 + 2 + path.getBytes(StandardCharsets.UTF_8).length + 1;
    }

    /** Reads a listing: path → SHA-256, in order. Lines that are not listing lines are returned in {@code bad}. */
    public static Map<String, String> read(Path listing, List<String> bad) throws IOException {
        Map<String, String> entries = new LinkedHashMap<>();
        try (BufferedReader reader = Files.newBufferedReader(listing, StandardCharsets.UTF_8)) {
            int number = 0;
            for (String line; (line = reader.readLine()) != null; ) {
                number++;
                Matcher m = LINE.matcher(line);
                if (!m.matches()) {
                    bad.add(listing.getFileName() + " line " + number + " is not '<sha256>  <file>'");
                    continue;
                }
                entries.put(m.group(2), m.group(1));
            }
        }
        return entries;
    }

    public static String text(List<Line> lines) {
        StringBuilder text = new StringBuilder();
        lines.forEach(line -> text.append(line.text()));
        return text.toString();
    }

    static List<Line> sorted(List<Line> lines) {
        List<Line> copy = new ArrayList<>(lines);
        copy.sort(java.util.Comparator.comparing(Line::path));
        return copy;
    }
}
