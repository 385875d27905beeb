package com.mking.backup.source.postgres.wal;

/** A WAL position as PostgreSQL prints it, {@code 16/B374D848}: a 64-bit byte offset in the WAL stream. */
public record Lsn(long value) implements Comparable<Lsn> {

    public static final Lsn ZERO = new Lsn(0);
    public static final Lsn MAX = new Lsn(Long.MAX_VALUE);

    public static Lsn parse(String text) {
        String[] parts = text.trim().split("/");
        if (parts.length != 2) {
            throw new IllegalArgumentException("'" + text + "' is not a WAL position like 0/3000028");
        }
        return new Lsn((Long.parseLong(parts[0], 16) << 32) | Long.parseLong(parts[1], 16));
    }

    /** The number of the segment holding this position. */
    public long segment(long segmentSize) {
        return Long.divideUnsigned(value, segmentSize);
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    public boolean isBefore(Lsn other) {
        return compareTo(other) < 0;
    }

    @Override
    public String toString() {
        return String.format("%X/%X", value >>> 32, value & 0xFFFFFFFFL);
    }
}
