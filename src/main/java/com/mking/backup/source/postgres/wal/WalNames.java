package com.mking.backup.source.postgres.wal;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL WAL file names: segments {@code TTTTTTTTXXXXXXXXYYYYYYYY} (timeline, then the segment
 * number split in two), timeline history files {@code TTTTTTTT.history}, backup history files and
 * partial segments. Segment arithmetic depends on the cluster's {@code wal_segment_size}.
 */
public final class WalNames {

    private static final Pattern SEGMENT = Pattern.compile("([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})");
    private static final Pattern ANY = Pattern.compile(
            "[0-9A-F]{24}(\\.partial|\\.[0-9A-F]{8}\\.backup)?|[0-9A-F]{8}\\.history");

    private WalNames() {
    }

    /** True for every file name archive_command may hand over. */
    public static boolean isArchivable(String name) {
        return ANY.matcher(name).matches();
    }

    public static boolean isSegment(String name) {
        return SEGMENT.matcher(name).matches();
    }

    /** What an archivable file is; each kind is checked differently before it is accepted. */
    public enum Kind { SEGMENT, PARTIAL_SEGMENT, TIMELINE_HISTORY, BACKUP_HISTORY }

    public static Kind kind(String name) {
        if (!isArchivable(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a WAL file name");
        }
        if (name.endsWith(".history")) {
            return Kind.TIMELINE_HISTORY;
        }
        if (name.endsWith(".partial")) {
            return Kind.PARTIAL_SEGMENT;
        }
        return name.endsWith(".backup") ? Kind.BACKUP_HISTORY : Kind.SEGMENT;
    }

    /** The timeline a history file describes ({@code 00000002.history} → 2). */
    public static long historyTimeline(String name) {
        return Long.parseLong(name.substring(0, 8), 16);
    }

    public static String historyName(long timeline) {
        return String.format("%08X.history", timeline);
    }

    /** A segment's position: timeline and segment number. */
    public record Segment(long timeline, long number) implements Comparable<Segment> {

        public String name(long segmentSize) {
            long perId = 0x1_0000_0000L / segmentSize;
            return String.format("%08X%08X%08X", timeline, number / perId, number % perId);
        }

        public Segment next() {
            return new Segment(timeline, number + 1);
        }

        @Override
        public int compareTo(Segment other) {
            int byNumber = Long.compare(number, other.number);
            return byNumber != 0 ? byNumber : Long.compare(timeline, other.timeline);
        }
    }

    public static Optional<Segment> parse(String name, long segmentSize) {
        Matcher m = SEGMENT.matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        long perId = 0x1_0000_0000L / segmentSize;
        long timeline = Long.parseLong(m.group(1), 16);
        long number = Long.parseLong(m.group(2), 16) * perId + Long.parseLong(m.group(3), 16);
        return Optional.of(new Segment(timeline, number));
    }

    /** The segment holding an LSN written as {@code 16/B374D848}. */
    public static Segment segmentOf(String lsn, long timeline, long segmentSize) {
        String[] parts = lsn.split("/");
        long position = (Long.parseLong(parts[0], 16) << 32) | Long.parseLong(parts[1], 16);
        return new Segment(timeline, position / segmentSize);
    }
}
