package com.mking.backup.source.redis;

import com.mking.backup.pipeline.Sha256;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a restore of a Redis backup is compared with, read the same way from the server backed up and from the
 * server started on the restored files, through redis-cli: the keys per type ({@code redis-cli --bigkeys}, which
 * walks the key space with SCAN, so the server is never blocked) and a sample of values (type, length and a
 * digest of the content, read with plain commands).
 *
 * <p>A sample is only worth comparing if the snapshot must hold it: keys are drawn before the snapshot and read
 * again after it, and only those unchanged across it (and without a TTL, which may end before a restore) are kept.
 * The sample travels as an artefact of its own (encrypted like the data): key names may be session ids.
 */
final class RedisContent {

    /** Runs redis-cli against one server with these arguments (after the connection options); returns stdout. */
    @FunctionalInterface
    interface Cli {
        String run(List<String> args) throws IOException;
    }

    /** A sampled key and what its value read as: {@code type length digest}. */
    record Sampled(int db, String key, String value) {
        /** {@code db hex(key) type length digest}: a manifest detail's value. */
        String encode() {
            return db + " " + HexFormat.of().formatHex(key.getBytes(StandardCharsets.UTF_8)) + " " + value;
        }

        static Sampled decode(String text) {
            String[] parts = text.split(" ", 3);
            return new Sampled(Integer.parseInt(parts[0]),
                    new String(HexFormat.of().parseHex(parts[1]), StandardCharsets.UTF_8), parts[2]);
        }
    }

    /** Collections longer than this (and strings above {@link #MAX_DIGESTED_BYTES}) are compared by length only. */
    static final int MAX_DIGESTED_ELEMENTS = 1000;
    static final long MAX_DIGESTED_BYTES = 1 << 20;
    static final List<String> TYPES = List.of("string", "list", "hash", "set", "zset", "stream");
    /** {@code 12 strings with 345 bytes (...)}: --bigkeys's summary lines. */
    private static final Pattern TYPE_LINE = Pattern.compile("(?m)^(\\d+) (string|list|hash|set|zset|stream)s with ");

    private final Cli cli;

    RedisContent(Cli cli) {
        this.cli = cli;
    }

    /** Keys per type in one database, counted by {@code redis-cli --bigkeys}. */
    Map<String, Long> typeCounts(int db) throws IOException {
        String summary = cli.run(List.of("-n", Integer.toString(db), "--bigkeys"));
        Map<String, Long> counts = new TreeMap<>();
        Matcher line = TYPE_LINE.matcher(summary);
        while (line.find()) {
            counts.put(line.group(2), Long.parseLong(line.group(1)));
        }
        if (counts.isEmpty() && !summary.contains("Sampled 0 keys")) {
            throw new IOException("redis-cli --bigkeys printed no counts per type: "
                    + summary.strip().lines().reduce((a, b) -> b).orElse("nothing"));
        }
        return counts;
    }

    /** Up to {@code count} distinct keys drawn at random (RANDOMKEY), without a TTL, with plain printable names. */
    List<String> draw(int db, int count) throws IOException {
        List<String> keys = new ArrayList<>();
        for (int tries = 0; keys.size() < count && tries < count * 3; tries++) {
            String key = cli.run(List.of("-n", Integer.toString(db), "RANDOMKEY")).strip();
            // an empty answer is an empty database; a name with blanks or control characters cannot travel as an
            // argument over ssh safely, and is left out of the sample
            if (key.isEmpty()) {
                break;
            }
            if (key.chars().allMatch(c -> c > ' ' && c != 127) && !keys.contains(key)
                    && "-1".equals(cli.run(List.of("-n", Integer.toString(db), "PTTL", key)).strip())) {
                keys.add(key);
            }
        }
        return keys;
    }

    /** {@code type length digest} of a key's value, or empty when the key does not exist. */
    Optional<String> read(int db, String key) throws IOException {
        String type = command(db, "TYPE", key);
        if (type.equals("none")) {
            return Optional.empty();
        }
        String lengthCommand = switch (type) {
            case "string" -> "STRLEN";
            case "list" -> "LLEN";
            case "hash" -> "HLEN";
            case "set" -> "SCARD";
            case "zset" -> "ZCARD";
            case "stream" -> "XLEN";
            default -> null; // a module's type: its presence and type are compared
        };
        if (lengthCommand == null) {
            return Optional.of(type + " - -");
        }
        long length = Long.parseLong(command(db, lengthCommand, key));
        if (length > (type.equals("string") ? MAX_DIGESTED_BYTES : MAX_DIGESTED_ELEMENTS)) {
            return Optional.of(type + " " + length + " -");
        }
        String content = switch (type) {
            case "string" -> command(db, "GET", key);
            case "list" -> command(db, "LRANGE", key, "0", "-1");
            // hash and set order depend on the server's encoding: compared as sorted lines
            case "hash" -> sortedLines(command(db, "HGETALL", key));
            case "set" -> sortedLines(command(db, "SMEMBERS", key));
            case "zset" -> scoresAsNumbers(command(db, "ZRANGE", key, "0", "-1", "WITHSCORES"));
            default -> command(db, "XRANGE", key, "-", "+");
        };
        return Optional.of(type + " " + length + " "
                + Sha256.hex(Sha256.newDigest().digest(content.getBytes(StandardCharsets.UTF_8))).substring(0, 16));
    }

    /**
     * Keys drawn before the snapshot that read the same after it: what the snapshot must hold.
     *
     * @param before drawn and read before the snapshot
     */
    List<Sampled> stable(List<Sampled> before) throws IOException {
        List<Sampled> kept = new ArrayList<>();
        for (Sampled sampled : before) {
            // a TTL given meanwhile may end before a restore: such a key proves nothing then
            if (read(sampled.db(), sampled.key()).filter(sampled.value()::equals).isPresent()
                    && "-1".equals(command(sampled.db(), "PTTL", sampled.key()).strip())) {
                kept.add(sampled);
            }
        }
        return kept;
    }

    List<Sampled> sample(int db, int count) throws IOException {
        List<Sampled> sampled = new ArrayList<>();
        for (String key : draw(db, count)) {
            read(db, key).ifPresent(value -> sampled.add(new Sampled(db, key, value)));
        }
        return sampled;
    }

    /**
     * What differs in this server from what was recorded at backup time: sampled keys missing or read differently,
     * and types with fewer keys than were counted, less those that may have expired since, the writes made while
     * counting (each may have deleted a counted key) and 1 % (SCAN may return a key twice). Empty: all as expected.
     * Key names stay out of the messages (they may be session ids): a sampled key is named by its place.
     */
    List<String> differences(Map<Integer, Map<String, Long>> counted, Map<Integer, Long> mayExpire, long writesWhileCounting,
                             List<Sampled> sample) throws IOException {
        List<String> differences = new ArrayList<>();
        for (Map.Entry<Integer, Map<String, Long>> db : counted.entrySet()) {
            Map<String, Long> loaded = typeCounts(db.getKey());
            long expiring = mayExpire.getOrDefault(db.getKey(), 0L);
            for (Map.Entry<String, Long> type : db.getValue().entrySet()) {
                long found = loaded.getOrDefault(type.getKey(), 0L);
                if (found < type.getValue() - expiring - writesWhileCounting - type.getValue() / 100) {
                    differences.add("db" + db.getKey() + " has " + found + " " + type.getKey() + " keys where "
                            + type.getValue() + " were counted before the snapshot");
                }
            }
        }
        for (int i = 0; i < sample.size(); i++) {
            Sampled sampled = sample.get(i);
            Optional<String> value = read(sampled.db(), sampled.key());
            String which = "sampled key " + (i + 1) + " of " + sample.size() + " (db" + sampled.db() + ", a "
                    + sampled.value().split(" ")[0] + ")";
            if (value.isEmpty()) {
                differences.add(which + " is missing");
            } else if (!value.get().equals(sampled.value())) {
                differences.add(which + " reads as " + value.get() + ", not " + sampled.value() + " (type length digest)");
            }
        }
        return differences;
    }

    /** Manifest details of counts per type: {@code types.db0.hash=12}. */
    static Map<String, String> countDetails(int db, Map<String, Long> counts) {
        Map<String, String> details = new LinkedHashMap<>();
        counts.forEach((type, count) -> details.put("types.db" + db + "." + type, Long.toString(count)));
        return details;
    }

    /** The counts per type and database recorded in a manifest's details. */
    static Map<Integer, Map<String, Long>> countsFrom(Map<String, String> details) {
        Map<Integer, Map<String, Long>> counts = new TreeMap<>();
        details.forEach((name, value) -> {
            Matcher key = Pattern.compile("types\\.db(\\d+)\\.(\\w+)").matcher(name);
            if (key.matches()) {
                counts.computeIfAbsent(Integer.parseInt(key.group(1)), db -> new TreeMap<>())
                        .put(key.group(2), Long.parseLong(value));
            }
        });
        return counts;
    }

    /** The sample as its artefact holds it: one encoded key per line; lines starting with # are notes. */
    static List<Sampled> sampleFrom(List<String> lines) {
        return lines.stream().filter(line -> !line.isBlank() && !line.startsWith("#")).map(Sampled::decode).toList();
    }

    private String command(int db, String... command) throws IOException {
        List<String> args = new ArrayList<>(List.of("-n", Integer.toString(db)));
        args.addAll(List.of(command));
        String out = cli.run(args);
        // redis-cli ends its output with one newline; content keeps its own
        return out.endsWith("\n") ? out.substring(0, out.length() - 1) : out;
    }

    /** {@code member\nscore\n...}: scores compared as numbers (servers of other versions format them differently). */
    private static String scoresAsNumbers(String text) {
        List<String> lines = new ArrayList<>(text.lines().toList());
        for (int i = 1; i < lines.size(); i += 2) {
            try {
                lines.set(i, Double.toString(Double.parseDouble(lines.get(i))));
            } catch (NumberFormatException e) {
                // a member with a line break shifted the pairs: compared as read, on both sides alike
            }
        }
        return String.join("\n", lines);
    }

    private static String sortedLines(String text) {
        return String.join("\n", text.lines().sorted().toList());
    }
}
