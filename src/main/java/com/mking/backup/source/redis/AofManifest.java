package com.mking.backup.source.redis;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Redis 7's AOF manifest: one line per file, {@code file <name> seq <n> type <b|h|i>} (base, history, increment).
 * History files are left over from a rewrite and not needed to load.
 */
final class AofManifest {

    private AofManifest() {
    }

    /** The base file first, then the increments, as the manifest lists them. */
    static List<String> files(String manifest) throws IOException {
        List<String> base = new ArrayList<>();
        List<String> increments = new ArrayList<>();
        for (String line : manifest.lines().map(String::strip).filter(l -> !l.isEmpty()).toList()) {
            String[] fields = line.split(" ");
            String name = null;
            String type = null;
            for (int i = 0; i + 1 < fields.length; i += 2) {
                if (fields[i].equals("file")) {
                    name = fields[i + 1];
                } else if (fields[i].equals("type")) {
                    type = fields[i + 1];
                }
            }
            if (name == null || type == null || !name.matches("[A-Za-z0-9._-]+")) {
                throw new IOException("unexpected line in the AOF manifest: " + line);
            }
            if (type.equals("b")) {
                base.add(name);
            } else if (type.equals("i")) {
                increments.add(name);
            }
        }
        if (base.size() > 1) {
            throw new IOException("the AOF manifest names " + base.size() + " base files");
        }
        base.addAll(increments);
        return base;
    }
}
