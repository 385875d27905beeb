package com.mking.backup.source.postgres.wal;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the archive accepts under a WAL name. Segments here are built the way PostgreSQL 15 lays them out
 * (8 KiB pages, long header on the first page, MAXALIGNed records that may cross pages); the PITR tests
 * feed it real segments from real clusters.
 */
class WalInspectionTest {

    private static final int SEGMENT = 1 << 20; // wal_segment_size=1MB keeps the test light
    private static final int PAGE = 8192;
    private static final long SYSID = 7712855595068516460L;
    private static final String NAME = "000000010000000000000003"; // segment 3 of 1 MiB segments
    private static final WalInspection.Expectations EXPECT = new WalInspection.Expectations(OptionalLong.of(SEGMENT),
            OptionalLong.of(SYSID), OptionalInt.of(15));

    @Test
    void aValidSegmentPassesAndItsRestorePointsAndCommitTimesAreFound() throws IOException {
        SegmentBuilder segment = new SegmentBuilder(3);
        segment.commit(Instant.parse("2026-11-27T10:00:00.123456Z"));
        segment.filler(9000); // crosses a page boundary: the next records are found after a continuation
        long restorePoint = segment.restorePoint("before-upgrade", Instant.parse("2026-11-27T10:00:01Z"));
        segment.commit(Instant.parse("2026-11-27T10:00:02.5Z"));
        segment.switchWal();

        WalInspection.Inspecting inspecting = WalInspection.inspect(NAME, new ByteArrayInputStream(segment.bytes()), EXPECT);
        inspecting.transferTo(OutputStream.nullOutputStream());
        WalInspection.Facts facts = inspecting.facts();
        assertThat(facts.systemIdentifier()).isEqualTo(SYSID);
        assertThat(facts.restorePoints()).containsExactly(new WalInspection.RestorePoint("before-upgrade",
                new Lsn(restorePoint), Instant.parse("2026-11-27T10:00:01Z")));
        assertThat(facts.firstXactTime()).isEqualTo(Instant.parse("2026-11-27T10:00:00.123456Z"));
        assertThat(facts.lastXactTime()).isEqualTo(Instant.parse("2026-11-27T10:00:02.5Z"));
    }

    @Test
    void randomBytesUnderASegmentNameAreRefusedAtOnce() {
        byte[] random = new byte[SEGMENT];
        new Random(7).nextBytes(random);
        CountingStream body = new CountingStream(random);
        assertThatThrownBy(() -> WalInspection.inspect(NAME, body, EXPECT).transferTo(OutputStream.nullOutputStream()))
                .isInstanceOf(WalInspection.InvalidWalException.class)
                .hasMessageContaining("is not a WAL segment").hasMessageContaining("0xD110");
        assertThat(body.read).as("refused within the first reads, not after the whole body").isLessThan(70_000);
    }

    @Test
    void aSegmentUnderAnotherNameTooShortTooLongOrOfAnotherClusterIsRefused() {
        byte[] valid = new SegmentBuilder(3).bytes();
        assertThatThrownBy(() -> read("000000010000000000000004", valid, EXPECT))
                .hasMessageContaining("does not belong under this name");
        assertThatThrownBy(() -> read(NAME, java.util.Arrays.copyOf(valid, SEGMENT - 8192), EXPECT))
                .hasMessageContaining("wal_segment_size is " + SEGMENT);
        assertThatThrownBy(() -> read(NAME, java.util.Arrays.copyOf(valid, SEGMENT + 1), EXPECT))
                .hasMessageContaining("larger than the segment size");
        assertThatThrownBy(() -> read(NAME, valid, new WalInspection.Expectations(OptionalLong.of(SEGMENT), OptionalLong.of(42),
                OptionalInt.of(15)))).isInstanceOf(WalInspection.ForeignClusterException.class)
                .hasMessageContaining("another cluster");
        assertThatThrownBy(() -> read(NAME, valid, new WalInspection.Expectations(OptionalLong.of(16L << 20),
                OptionalLong.of(SYSID), OptionalInt.of(15)))).hasMessageContaining("segment size");
    }

    @Test
    void withNothingKnownOfTheClusterTheHeaderStillHasToBePlausible() throws IOException {
        read(NAME, new SegmentBuilder(3).bytes(), WalInspection.Expectations.unknown());
        byte[] wrongMagic = new SegmentBuilder(3).bytes();
        wrongMagic[0] = 0x12;
        assertThatThrownBy(() -> read(NAME, wrongMagic, WalInspection.Expectations.unknown()))
                .hasMessageContaining("is not a WAL segment");
    }

    @Test
    void historyAndBackupHistoryFilesMustParse() throws IOException {
        read("00000002.history", "1\t0/5000060\tno recovery target specified\n".getBytes(StandardCharsets.UTF_8), EXPECT);
        assertThatThrownBy(() -> read("00000002.history", new byte[]{1, 2, 3}, EXPECT))
                .hasMessageContaining("not a timeline history file");
        read("000000010000000000000003.00000028.backup", "START WAL LOCATION: 0/3000028 (file 000000010000000000000003)\n"
                .getBytes(StandardCharsets.UTF_8), EXPECT);
        assertThatThrownBy(() -> read("000000010000000000000003.00000028.backup", new byte[100], EXPECT))
                .hasMessageContaining("not a backup history file");
        assertThatThrownBy(() -> read("00000002.history", new byte[70_000], EXPECT)).hasMessageContaining("larger than");
    }

    private static void read(String name, byte[] bytes, WalInspection.Expectations expect) throws IOException {
        WalInspection.inspect(name, new ByteArrayInputStream(bytes), expect).transferTo(OutputStream.nullOutputStream());
    }

    private static final class CountingStream extends InputStream {
        private final ByteArrayInputStream in;
        private long read;

        CountingStream(byte[] bytes) {
            in = new ByteArrayInputStream(bytes);
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            int n = in.read(b, off, Math.min(len, 8192));
            read += Math.max(n, 0);
            return n;
        }
    }

    /** Writes WAL records into pages with headers, as PostgreSQL does. */
    private static final class SegmentBuilder {
        private final ByteBuffer buffer = ByteBuffer.allocate(SEGMENT).order(ByteOrder.LITTLE_ENDIAN);
        private final long start;
        private int position;

        SegmentBuilder(long number) {
            start = number * SEGMENT;
            for (int page = 0; page < SEGMENT / PAGE; page++) {
                int at = page * PAGE;
                buffer.putShort(at, (short) 0xD110);
                buffer.putShort(at + 2, (short) (page == 0 ? 0x0002 : 0));
                buffer.putInt(at + 4, 1);
                buffer.putLong(at + 8, start + at);
            }
            buffer.putLong(24, SYSID);
            buffer.putInt(32, SEGMENT);
            buffer.putInt(36, PAGE);
            position = 40;
        }

        byte[] bytes() {
            return buffer.array();
        }

        void commit(Instant time) {
            ByteBuffer main = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(postgresTime(time));
            record(1, 0x00, main.array());
        }

        long restorePoint(String name, Instant time) {
            ByteBuffer main = ByteBuffer.allocate(72).order(ByteOrder.LITTLE_ENDIAN).putLong(postgresTime(time));
            main.put(name.getBytes(StandardCharsets.UTF_8));
            return record(0, 0x70, main.array());
        }

        void filler(int size) {
            record(10, 0x00, new byte[size - 2 - 24 - 3]); // a heap-like record with long main data
        }

        void switchWal() {
            record(0, 0x40, new byte[0]);
        }

        /** Writes one record at the next aligned position; returns its LSN. */
        private long record(int resourceManager, int info, byte[] main) {
            position = (position + 7) & ~7;
            skipHeader();
            long lsn = start + position;
            boolean longData = main.length > 255;
            int headerLength = longData ? 5 : 2;
            ByteBuffer record = ByteBuffer.allocate(24 + headerLength + main.length).order(ByteOrder.LITTLE_ENDIAN);
            record.putInt(24 + headerLength + main.length).putInt(0).putLong(0).put((byte) info).put((byte) resourceManager)
                    .putShort((short) 0).putInt(0);
            if (longData) {
                record.put((byte) 254).putInt(main.length);
            } else {
                record.put((byte) 255).put((byte) main.length);
            }
            record.put(main);
            byte[] bytes = record.array();
            int remaining = bytes.length;
            int offset = 0;
            while (remaining > 0) {
                skipHeader();
                int room = PAGE - position % PAGE;
                int n = Math.min(room, remaining);
                buffer.put(position, bytes, offset, n);
                position += n;
                offset += n;
                remaining -= n;
                if (remaining > 0) {
                    buffer.putShort((position / PAGE) * PAGE + 2, (short) 0x0001); // XLP_FIRST_IS_CONTRECORD
                    buffer.putInt((position / PAGE) * PAGE + 16, remaining);
                }
            }
            return lsn;
        }

        private void skipHeader() {
            if (position % PAGE == 0) {
                position += 24;
            }
        }

        private static long postgresTime(Instant time) {
            return (time.getEpochSecond() - 946_684_800L) * 1_000_000L + time.getNano() / 1000;
        }
    }
}
