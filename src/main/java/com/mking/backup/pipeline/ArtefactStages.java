package com.mking.backup.pipeline;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The stages one artefact's bytes pass through on their way to the stores, in the order the backup route's steps add
 * them ({@code backup-checksum}, {@code backup-compress}, {@code backup-encrypt}). Adding a stage only records how to
 * wrap the stream: nothing is read, joined or buffered until the stores step pumps the data through
 * {@link #join}. Each stage then counts the bytes it takes and gives, and the time spent in it alone (its
 * {@link Statistics}), so an operator sees which step a slow backup waits on.
 */
public final class ArtefactStages {

    /** Wraps the stream a stage writes into (toward the stores) with the stage's own transformation. */
    @FunctionalInterface
    public interface Wrapper {
        OutputStream wrap(OutputStream towardStores) throws IOException;
    }

    /**
     * What one stage did: bytes in and out, and nanoseconds spent in it alone (its time minus the stages after it; on
     * the pumping thread: zstd's own worker threads are not counted). {@code tool} is the wait for the source's bytes,
     * {@code stores} the hand-over to the upload threads (it grows when a store is the slowest part).
     */
    public record Statistics(String stage, long bytesIn, long bytesOut, long nanos) {
        public long millis() {
            return nanos / 1_000_000;
        }

        @Override
        public String toString() {
            return stage + " " + bytesIn + (bytesOut == bytesIn ? "" : "→" + bytesOut) + " B " + millis() + " ms";
        }
    }

    private record Stage(String name, Wrapper wrapper) { }

    private final List<Stage> stages = new ArrayList<>();
    private final List<Meter> meters = new ArrayList<>();
    private DigestOutputStream rawDigest;
    private long toolNanos;
    private boolean joined;

    /** The raw bytes' SHA-256 and size (what a restore compares); its place in the order decides what it sums. */
    public ArtefactStages checksum() {
        return add("checksum", towardStores -> rawDigest = new DigestOutputStream(towardStores));
    }

    public ArtefactStages add(String name, Wrapper wrapper) {
        if (joined) {
            throw new IllegalStateException("stage " + name + " added after the data started flowing");
        }
        stages.add(new Stage(name, wrapper));
        return this;
    }

    public List<String> names() {
        return stages.stream().map(Stage::name).toList();
    }

    /**
     * Builds the chain in front of {@code stores} (the stream that hands stored bytes to the upload threads): the
     * first stage added receives the raw bytes. Once.
     */
    OutputStream join(OutputStream stores) throws IOException {
        if (joined) {
            throw new IllegalStateException("the stages were already joined");
        }
        if (stages.isEmpty() || !stages.get(0).name().equals("checksum")) {
            throw new IllegalStateException("the first stage is not the checksum: a backup must record the SHA-256 of "
                    + "its raw bytes, before anything transforms them");
        }
        joined = true;
        Meter next = new Meter("stores", stores);
        meters.add(0, next);
        for (int i = stages.size() - 1; i >= 0; i--) {
            Stage stage = stages.get(i);
            next = new Meter(stage.name(), stage.wrapper().wrap(next));
            meters.add(0, next);
        }
        return next;
    }

    /** Time spent waiting for the source's next bytes, added by the pump. */
    void toolWaited(long nanos) {
        toolNanos += nanos;
    }

    DigestOutputStream rawDigest() {
        return rawDigest;
    }

    /** Per stage, in the data's order: tool, the added stages, stores. */
    public List<Statistics> statistics() {
        List<Statistics> result = new ArrayList<>();
        long raw = meters.isEmpty() ? 0 : meters.get(0).bytes;
        result.add(new Statistics("tool", raw, raw, toolNanos));
        for (int i = 0; i < meters.size(); i++) {
            Meter meter = meters.get(i);
            Meter after = i + 1 < meters.size() ? meters.get(i + 1) : null;
            long out = after == null ? meter.bytes : after.bytes;
            // a header a stage writes while the chain is built lands in the next meter outside this one's calls: never
            // let that make a stage's own time negative (the metrics only grow)
            result.add(new Statistics(meter.stage, meter.bytes, out,
                    Math.max(0, meter.nanos - (after == null ? 0 : after.nanos))));
        }
        return result;
    }

    /** Counts what enters a stage and the time its writes and close take, the stages after it included. */
    private static final class Meter extends FilterOutputStream {
        private final String stage;
        private long bytes;
        private long nanos;

        Meter(String stage, OutputStream stageInput) {
            super(stageInput);
            this.stage = stage;
        }

        @Override
        public void write(int b) throws IOException {
            long start = System.nanoTime();
            out.write(b);
            bytes++;
            nanos += System.nanoTime() - start;
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            long start = System.nanoTime();
            out.write(buffer, offset, length);
            bytes += length;
            nanos += System.nanoTime() - start;
        }

        @Override
        public void flush() throws IOException {
            long start = System.nanoTime();
            out.flush();
            nanos += System.nanoTime() - start;
        }

        @Override
        public void close() throws IOException {
            long start = System.nanoTime();
            out.close();
            nanos += System.nanoTime() - start;
        }
    }
}
