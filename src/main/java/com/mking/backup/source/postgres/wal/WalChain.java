package com.mking.backup.source.postgres.wal;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks that archived WAL forms an unbroken chain from a base backup's first segment to the end of the
 * archive, along one timeline's history as PostgreSQL would read it: each segment from the newest
 * timeline of the path that has begun by then. Segments of an ancestor written after its child branched
 * off belong to another path and are neither needed nor a gap. Plain Java over file names.
 */
public final class WalChain {

    private WalChain() {
    }

    /** The result: the newest segment reached, and the first missing one when there is a gap. */
    public record Result(long timeline, String start, String newest, long segments, Optional<String> missing,
                         List<String> files) {

        public boolean complete() {
            return missing.isEmpty();
        }
    }

    /**
     * @param start the base backup's first segment (its timeline must be on {@code path})
     * @param path  the history of the timeline to recover onto
     */
    public static Result verify(Set<String> archived, WalNames.Segment start, long segmentSize, TimelineHistory path) {
        TreeSet<Long> onPath = new TreeSet<>();
        for (String name : archived) {
            WalNames.parse(name, segmentSize).ifPresent(segment -> {
                if (segment.number() >= start.number()
                        && path.timelineOfSegment(segment.number(), segmentSize) == segment.timeline()) {
                    onPath.add(segment.number());
                }
            });
        }
        String startName = new WalNames.Segment(path.timelineOfSegment(start.number(), segmentSize), start.number())
                .name(segmentSize);
        if (onPath.isEmpty()) {
            return new Result(path.timeline(), startName, null, 0, Optional.of(startName), List.of());
        }
        List<String> files = new java.util.ArrayList<>();
        String newest = null;
        for (long number = start.number(); number <= onPath.last(); number++) {
            WalNames.Segment wanted = new WalNames.Segment(path.timelineOfSegment(number, segmentSize), number);
            if (!onPath.contains(number)) {
                return new Result(path.timeline(), startName, newest, files.size(), Optional.of(wanted.name(segmentSize)),
                        List.copyOf(files));
            }
            newest = wanted.name(segmentSize);
            files.add(newest);
        }
        return new Result(path.timeline(), startName, newest, files.size(), Optional.empty(), List.copyOf(files));
    }

    /** Archived WAL files a restore from {@code oldestKept} never needs: segments before it, and their backup files. */
    public static List<String> prunable(Set<String> archived, WalNames.Segment oldestKept, long segmentSize) {
        return archived.stream().filter(name -> {
            String segmentPart = name.length() >= 24 ? name.substring(0, 24) : name;
            return !name.endsWith(".history") && WalNames.parse(segmentPart, segmentSize)
                    .map(segment -> segment.number() < oldestKept.number()).orElse(false);
        }).toList();
    }
}
