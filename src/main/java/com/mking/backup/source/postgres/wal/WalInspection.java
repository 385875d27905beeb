package com.mking.backup.source.postgres.wal;
import com.mking.backup.pipeline.ChunkFilterInputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Checks a file pushed into the WAL archive while it streams through, before anything is acknowledged:
 * a segment must be exactly the cluster's {@code wal_segment_size}, start with a valid long page header
 * (PostgreSQL's page magic, the segment address matching its name, the segment size, the cluster's
 * system identifier); a timeline history file must parse; a backup history file must look like one.
 *
 * <p>On the way, the WAL records of a segment are scanned for what recovery planning needs: restore
 * points (name, position, time) and the first and last transaction commit or abort times. The scan keeps
 * only the record being read, never the segment.
 */
public final class WalInspection {

    /** What the job's cluster is known to be; empty values are checked for plausibility only. */
    public record Expectations(OptionalLong segmentSize, OptionalLong systemIdentifier, OptionalInt serverMajorVersion) {

        public static Expectations unknown() {
            return new Expectations(OptionalLong.empty(), OptionalLong.empty(), OptionalInt.empty());
        }
    }

    /** A point made with {@code pg_create_restore_point()}. */
    public record RestorePoint(String name, Lsn lsn, Instant time) {
    }

    /** What a segment holds, recorded in its manifest. */
    public record Facts(long systemIdentifier, List<RestorePoint> restorePoints, Instant firstXactTime,
                        Instant lastXactTime) {

        public static final Facts NONE = new Facts(0, List.of(), null, null);
    }

    /** The pushed file is not what its name says; nothing of it may be archived. */
    public static class InvalidWalException extends IOException {
        public InvalidWalException(String message) {
            super(message);
        }
    }

    /** A valid segment, but of another cluster (a different system identifier). */
    public static final class ForeignClusterException extends InvalidWalException {
        public ForeignClusterException(String message) {
            super(message);
        }
    }

    /** Page magic numbers of the WAL format, by PostgreSQL major version (xlog_internal.h). */
    static final Map<Integer, Integer> PAGE_MAGIC = Map.of(10, 0xD097, 11, 0xD098, 12, 0xD101, 13, 0xD106, 14, 0xD10D,
            15, 0xD110, 16, 0xD113, 17, 0xD116);

    private static final int LONG_HEADER_SIZE = 40;
    private static final int SHORT_HEADER_SIZE = 24;
    private static final int XLP_FIRST_IS_CONTRECORD = 0x0001;
    private static final int XLP_LONG_HEADER = 0x0002;
    private static final long MIN_SEGMENT_SIZE = 1L << 20;
    private static final long MAX_SEGMENT_SIZE = 1L << 30;
    private static final long POSTGRES_EPOCH_SECONDS = 946_684_800L;

    private WalInspection() {
    }

    /** The largest body a file of this kind may have, given what is known of the cluster. */
    public static long maxSize(WalNames.Kind kind, Expectations expect) {
        return switch (kind) {
            case SEGMENT, PARTIAL_SEGMENT -> expect.segmentSize().orElse(MAX_SEGMENT_SIZE);
            case TIMELINE_HISTORY, BACKUP_HISTORY -> TimelineHistory.MAX_SIZE;
        };
    }

    /** Wraps a pushed body; reading it to the end validates it, and {@link Inspecting#facts()} tells what it holds. */
    public static Inspecting inspect(String fileName, InputStream body, Expectations expect) {
        WalNames.Kind kind = WalNames.kind(fileName);
        return switch (kind) {
            case SEGMENT, PARTIAL_SEGMENT -> new Inspecting(body, new SegmentScanner(fileName.substring(0, 24), expect));
            case TIMELINE_HISTORY -> new Inspecting(body, new TextScanner(fileName, kind));
            case BACKUP_HISTORY -> new Inspecting(body, new TextScanner(fileName, kind));
        };
    }

    /** A stream that validates what passes through it. */
    public static final class Inspecting extends ChunkFilterInputStream {
        private final Scanner scanner;
        private boolean finished;

        Inspecting(InputStream in, Scanner scanner) {
            super(in);
            this.scanner = scanner;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                scanner.accept(buffer, offset, n);
            } else if (n < 0 && !finished) {
                finished = true;
                scanner.finish();
            }
            return n;
        }

        /** What the file holds; valid once the stream was read to its end. */
        public Facts facts() {
            return scanner.facts();
        }
    }

    private interface Scanner {
        void accept(byte[] buffer, int offset, int length) throws IOException;

        void finish() throws IOException;

        Facts facts();
    }

    /** History and backup history files: small text, checked whole at the end. */
    private static final class TextScanner implements Scanner {
        private final String name;
        private final WalNames.Kind kind;
        private final ByteArrayOutputStream content = new ByteArrayOutputStream();

        TextScanner(String name, WalNames.Kind kind) {
            this.name = name;
            this.kind = kind;
        }

        @Override
        public void accept(byte[] buffer, int offset, int length) throws IOException {
            if (content.size() + length > TimelineHistory.MAX_SIZE) {
                throw new InvalidWalException(name + " is larger than " + TimelineHistory.MAX_SIZE + " bytes; a "
                        + (kind == WalNames.Kind.TIMELINE_HISTORY ? "timeline" : "backup") + " history file is a few lines");
            }
            content.write(buffer, offset, length);
        }

        @Override
        public void finish() throws IOException {
            byte[] bytes = content.toByteArray();
            if (kind == WalNames.Kind.TIMELINE_HISTORY) {
                try {
                    TimelineHistory.parse(WalNames.historyTimeline(name), bytes);
                } catch (IllegalArgumentException e) {
                    throw new InvalidWalException(name + " is not a timeline history file: " + e.getMessage());
                }
            } else if (!new String(bytes, StandardCharsets.UTF_8).startsWith("START WAL LOCATION:")) {
                throw new InvalidWalException(name + " is not a backup history file (it must begin with START WAL LOCATION)");
            }
        }

        @Override
        public Facts facts() {
            return Facts.NONE;
        }
    }

    /**
     * A WAL segment: its first page header is checked as soon as it has arrived (a wrong body fails
     * fast), its size at the end; its records are followed page by page for restore points and commit
     * times, keeping only the record in hand.
     */
    private static final class SegmentScanner implements Scanner {
        private final String segmentName;
        private final Expectations expect;
        private final byte[] firstHeader = new byte[LONG_HEADER_SIZE];
        private long size;
        private long segmentSize;
        private long segmentStart;
        private int pageSize;
        private int magic;
        private long systemIdentifier;
        private byte[] page;
        private int pageFill;
        private long pageIndex;
        private final RecordReader records = new RecordReader();

        SegmentScanner(String segmentName, Expectations expect) {
            this.segmentName = segmentName;
            this.expect = expect;
        }

        @Override
        public void accept(byte[] buffer, int offset, int length) throws IOException {
            long limit = segmentSize > 0 ? segmentSize : expect.segmentSize().orElse(MAX_SEGMENT_SIZE);
            if (size + length > limit) {
                throw new InvalidWalException(segmentName + " is larger than the segment size of " + limit + " bytes");
            }
            int i = 0;
            while (i < length && size < LONG_HEADER_SIZE) {
                firstHeader[(int) size++] = buffer[offset + i++];
                if (size == LONG_HEADER_SIZE) {
                    checkFirstHeader();
                }
            }
            while (i < length) {
                int n = Math.min(length - i, pageSize - pageFill);
                System.arraycopy(buffer, offset + i, page, pageFill, n);
                pageFill += n;
                size += n;
                i += n;
                if (pageFill == pageSize) {
                    records.page(page, pageIndex++);
                    pageFill = 0;
                }
            }
        }

        private void checkFirstHeader() throws IOException {
            ByteBuffer header = ByteBuffer.wrap(firstHeader).order(ByteOrder.LITTLE_ENDIAN);
            magic = header.getShort(0) & 0xFFFF;
            int info = header.getShort(2) & 0xFFFF;
            long pageAddress = header.getLong(8);
            systemIdentifier = header.getLong(24);
            long headerSegmentSize = header.getInt(32) & 0xFFFFFFFFL;
            pageSize = header.getInt(36);
            if (!plausibleMagic(magic)) {
                throw new InvalidWalException(segmentName + " is not a WAL segment: its first page has magic 0x"
                        + Integer.toHexString(magic).toUpperCase() + expectedMagic());
            }
            if ((info & XLP_LONG_HEADER) == 0) {
                throw new InvalidWalException(segmentName + " is not a WAL segment: its first page has no long header");
            }
            segmentSize = expect.segmentSize().orElse(headerSegmentSize);
            if (headerSegmentSize != segmentSize || Long.bitCount(segmentSize) != 1 || segmentSize < MIN_SEGMENT_SIZE
                    || segmentSize > MAX_SEGMENT_SIZE) {
                throw new InvalidWalException(segmentName + " says its segment size is " + headerSegmentSize
                        + " bytes; the cluster's wal_segment_size is " + segmentSize);
            }
            if (pageSize < 1024 || pageSize > 65536 || Integer.bitCount(pageSize) != 1) {
                throw new InvalidWalException(segmentName + " has an impossible WAL page size of " + pageSize);
            }
            WalNames.Segment named = WalNames.parse(segmentName, segmentSize).orElseThrow();
            segmentStart = named.number() * segmentSize;
            if (pageAddress != segmentStart) {
                throw new InvalidWalException(segmentName + " holds WAL from " + new Lsn(pageAddress) + " but its name says "
                        + new Lsn(segmentStart) + ": the file does not belong under this name");
            }
            if (expect.systemIdentifier().isPresent() && expect.systemIdentifier().getAsLong() != systemIdentifier) {
                throw new ForeignClusterException(segmentName + " was written by the cluster with system identifier "
                        + Long.toUnsignedString(systemIdentifier) + ", but this job's cluster is "
                        + Long.toUnsignedString(expect.systemIdentifier().getAsLong())
                        + ": is another cluster archiving into this job?");
            }
            page = new byte[pageSize];
            System.arraycopy(firstHeader, 0, page, 0, LONG_HEADER_SIZE);
            pageFill = LONG_HEADER_SIZE;
        }

        private boolean plausibleMagic(int value) {
            if (expect.serverMajorVersion().isPresent() && PAGE_MAGIC.containsKey(expect.serverMajorVersion().getAsInt())) {
                return value == PAGE_MAGIC.get(expect.serverMajorVersion().getAsInt());
            }
            // versions newer than this table: same family of numbers
            return PAGE_MAGIC.containsValue(value) || (value > 0xD116 && value < 0xD200);
        }

        private String expectedMagic() {
            return expect.serverMajorVersion().isPresent() && PAGE_MAGIC.containsKey(expect.serverMajorVersion().getAsInt())
                    ? " (PostgreSQL " + expect.serverMajorVersion().getAsInt() + " writes 0x"
                    + Integer.toHexString(PAGE_MAGIC.get(expect.serverMajorVersion().getAsInt())).toUpperCase() + ")"
                    : " (PostgreSQL writes 0xD0xx/0xD1xx)";
        }

        @Override
        public void finish() throws IOException {
            if (size < LONG_HEADER_SIZE) {
                throw new InvalidWalException(segmentName + " has only " + size + " bytes; a WAL segment is "
                        + expect.segmentSize().orElse(16L << 20) + " bytes");
            }
            if (size != segmentSize) {
                throw new InvalidWalException(segmentName + " has " + size + " bytes; the cluster's wal_segment_size is "
                        + segmentSize);
            }
        }

        @Override
        public Facts facts() {
            return new Facts(systemIdentifier, List.copyOf(records.restorePoints), records.firstXact, records.lastXact);
        }

        /**
         * Follows WAL records across pages. Page headers (24 bytes, 40 on the first page) are multiples of
         * 8, so record alignment (MAXALIGN, 8) holds in the page-less byte stream this builds.
         */
        private final class RecordReader {
            private static final int RECORD_HEADER = 24;
            private static final int KEEP_LIMIT = 64 * 1024;
            private final List<RestorePoint> restorePoints = new ArrayList<>();
            private Instant firstXact;
            private Instant lastXact;
            private boolean stopped;
            private long skip = -1; // bytes of a record continued from the previous segment; -1: not yet known
            private long payloadPosition;
            private final byte[] header = new byte[RECORD_HEADER];
            private int headerFill;
            private long recordLsn;
            private long remaining;
            private byte[] body;
            private int bodyFill;

            void page(byte[] bytes, long index) {
                if (stopped) {
                    return;
                }
                ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
                int info = buffer.getShort(2) & 0xFFFF;
                long address = buffer.getLong(8);
                if ((buffer.getShort(0) & 0xFFFF) != magic || address != segmentStart + index * pageSize) {
                    stopped = true; // unused space after a WAL switch or end of written WAL
                    return;
                }
                int headerSize = (info & XLP_LONG_HEADER) != 0 ? LONG_HEADER_SIZE : SHORT_HEADER_SIZE;
                if (skip < 0) {
                    skip = (info & XLP_FIRST_IS_CONTRECORD) != 0 ? buffer.getInt(16) & 0xFFFFFFFFL : 0;
                }
                for (int offset = headerSize; offset < pageSize && !stopped; ) {
                    offset += consume(bytes, offset, pageSize - offset, address + offset);
                }
            }

            /** Consumes up to {@code length} bytes at {@code offset}; returns how many it used. */
            private int consume(byte[] bytes, int offset, int length, long lsn) {
                if (skip > 0) {
                    int n = (int) Math.min(skip, length);
                    skip -= n;
                    payloadPosition += n;
                    return n;
                }
                if (headerFill < RECORD_HEADER && remaining == 0) {
                    int padding = (int) ((8 - payloadPosition % 8) % 8);
                    if (headerFill == 0 && padding > 0) {
                        int n = Math.min(padding, length);
                        payloadPosition += n;
                        return n;
                    }
                    if (headerFill == 0) {
                        recordLsn = lsn;
                    }
                    int n = Math.min(RECORD_HEADER - headerFill, length);
                    System.arraycopy(bytes, offset, header, headerFill, n);
                    headerFill += n;
                    payloadPosition += n;
                    if (headerFill == RECORD_HEADER) {
                        startRecord();
                    }
                    return n;
                }
                int n = (int) Math.min(remaining, length);
                if (body != null) {
                    System.arraycopy(bytes, offset, body, bodyFill, n);
                    bodyFill += n;
                }
                remaining -= n;
                payloadPosition += n;
                if (remaining == 0) {
                    endRecord();
                }
                return n;
            }

            private void startRecord() {
                ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
                long totalLength = h.getInt(0) & 0xFFFFFFFFL;
                if (totalLength < RECORD_HEADER) {
                    stopped = true; // zeroes: the end of the written WAL
                    return;
                }
                int resourceManager = header[17] & 0xFF;
                boolean wanted = (resourceManager == 0 || resourceManager == 1) && totalLength <= KEEP_LIMIT;
                remaining = totalLength - RECORD_HEADER;
                body = wanted ? new byte[(int) remaining] : null;
                bodyFill = 0;
                if (remaining == 0) {
                    endRecord();
                }
            }

            private void endRecord() {
                int info = header[16] & 0xFF;
                int resourceManager = header[17] & 0xFF;
                if (body != null) {
                    byte[] main = mainData(body);
                    if (resourceManager == 0 && (info & 0xF0) == 0x70 && main != null && main.length >= 8 + 64) {
                        ByteBuffer data = ByteBuffer.wrap(main).order(ByteOrder.LITTLE_ENDIAN);
                        String name = cString(main, 8, 64);
                        restorePoints.add(new RestorePoint(name, new Lsn(recordLsn), postgresTime(data.getLong(0))));
                    } else if (resourceManager == 1 && isCommitOrAbort(info & 0x70) && main != null && main.length >= 8) {
                        Instant time = postgresTime(ByteBuffer.wrap(main).order(ByteOrder.LITTLE_ENDIAN).getLong(0));
                        firstXact = firstXact == null ? time : firstXact;
                        lastXact = lastXact == null || time.isAfter(lastXact) ? time : lastXact;
                    }
                }
                if (resourceManager == 0 && (info & 0xF0) == 0x40) {
                    stopped = true; // XLOG_SWITCH: nothing follows in this segment
                }
                headerFill = 0;
                body = null;
            }

            private static boolean isCommitOrAbort(int operation) {
                return operation == 0x00 || operation == 0x20 || operation == 0x30 || operation == 0x40;
            }

            /** The record's main data (last in the record), when it has no block references. */
            private static byte[] mainData(byte[] record) {
                int position = 0;
                while (position < record.length) {
                    int id = record[position] & 0xFF;
                    if (id == 255 && position + 1 < record.length) {
                        int length = record[position + 1] & 0xFF;
                        return tail(record, length);
                    }
                    if (id == 254 && position + 4 < record.length) {
                        int length = ByteBuffer.wrap(record, position + 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
                        return tail(record, length);
                    }
                    if (id == 253) {
                        position += 3; // replication origin
                    } else if (id == 252) {
                        position += 5; // top-level transaction id
                    } else {
                        return null; // a block reference: not a record this scan reads
                    }
                }
                return null;
            }

            private static byte[] tail(byte[] record, int length) {
                return length < 0 || length > record.length ? null
                        : java.util.Arrays.copyOfRange(record, record.length - length, record.length);
            }

            private static String cString(byte[] bytes, int offset, int max) {
                int end = offset;
                while (end < offset + max && bytes[end] != 0) {
                    end++;
                }
                return new String(bytes, offset, end - offset, StandardCharsets.UTF_8);
            }

            private static Instant postgresTime(long microseconds) {
                return Instant.ofEpochSecond(POSTGRES_EPOCH_SECONDS + Math.floorDiv(microseconds, 1_000_000L),
                        Math.floorMod(microseconds, 1_000_000L) * 1000L);
            }
        }
    }
}
