package com.mking.backup.wal;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks that archived WAL forms an unbroken chain from a base backup's first segment to the newest
 * archived segment. A timeline switch is followed: the next segment may be on the same or a later
 * timeline. Plain Java over file names, so it is tested without a server.
 */
public final class WalChain {

    private WalChain() {
    }

    /** The result: the newest segment reached, and the first missing one when there is a gap. */
    public record Result(String start, String newest, long segments, Optional<String> missing) {

        public boolean complete() {
            return missing.isEmpty();
        }
    }

    public static Result verify(Set<String> archived, WalNames.Segment start, long segmentSize) {
        TreeMap<Long, TreeSet<Long>> timelinesBySegment = new TreeMap<>();
        for (String name : archived) {
            WalNames.parse(name, segmentSize).ifPresent(segment ->
                    timelinesBySegment.computeIfAbsent(segment.number(), n -> new TreeSet<>()).add(segment.timeline()));
        }
        if (timelinesBySegment.isEmpty() || timelinesBySegment.lastKey() < start.number()) {
            return new Result(start.name(segmentSize), null, 0, Optional.of(start.name(segmentSize)));
        }
        long last = timelinesBySegment.lastKey();
        long timeline = start.timeline();
        long count = 0;
        String newest = null;
        for (long number = start.number(); number <= last; number++) {
            TreeSet<Long> timelines = timelinesBySegment.get(number);
            Long next = timelines == null ? null : timelines.ceiling(timeline);
            if (next == null) {
                return new Result(start.name(segmentSize), newest, count,
                        Optional.of(new WalNames.Segment(timeline, number).name(segmentSize)));
            }
            timeline = timelines.last() > next ? timelines.last() : next;
            newest = new WalNames.Segment(timeline, number).name(segmentSize);
            count++;
        }
        return new Result(start.name(segmentSize), newest, count, Optional.empty());
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
