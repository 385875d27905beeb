package com.mking.backup.pipeline;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Bytes and time per pipeline stage, summed over every artefact written since start-up (the metrics read them). */
public final class StageTotals {

    /** The stages a backup's bytes can pass, in order. */
    public static final List<String> STAGES = List.of("tool", "checksum", "compress", "encrypt", "stores");

    private final Map<String, LongAdder> bytes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> nanos = new ConcurrentHashMap<>();

    void add(List<ArtefactStages.Statistics> statistics) {
        for (ArtefactStages.Statistics stage : statistics) {
            bytes.computeIfAbsent(stage.stage(), s -> new LongAdder()).add(stage.bytesIn());
            nanos.computeIfAbsent(stage.stage(), s -> new LongAdder()).add(stage.nanos());
        }
    }

    public long bytes(String stage) {
        LongAdder total = bytes.get(stage);
        return total == null ? 0 : total.sum();
    }

    public double seconds(String stage) {
        LongAdder total = nanos.get(stage);
        return total == null ? 0 : total.sum() / 1e9;
    }
}
