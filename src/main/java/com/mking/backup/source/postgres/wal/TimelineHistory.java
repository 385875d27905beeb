package com.mking.backup.source.postgres.wal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A timeline history file ({@code 00000002.history}), as PostgreSQL writes it when a server is promoted:
 * one line per ancestor timeline with the position where the next timeline branched off, e.g.
 * {@code 1	0/5000060	before 2026-11-27 10:00:00+00}. Parsing it is how recovery follows a timeline
 * back through its ancestors, as PostgreSQL does with {@code recovery_target_timeline}.
 */
public record TimelineHistory(long timeline, List<Entry> ancestors) {

    /** The largest history file accepted: real ones are a few lines. */
    public static final int MAX_SIZE = 64 * 1024;

    /** An ancestor timeline and the position where it ended (where its child branched off). */
    public record Entry(long timeline, Lsn end, String reason) {
    }

    /** The history of timeline 1: no ancestors. */
    public static TimelineHistory first() {
        return new TimelineHistory(1, List.of());
    }

    /** Parses a history file; the message of the exception says what is wrong with it. */
    public static TimelineHistory parse(long timeline, byte[] content) {
        if (content.length > MAX_SIZE) {
            throw new IllegalArgumentException("a timeline history file of " + content.length + " bytes is not plausible");
        }
        List<Entry> entries = new ArrayList<>();
        long previous = 0;
        Lsn previousEnd = Lsn.ZERO;
        int lineNumber = 0;
        for (String line : new String(content, StandardCharsets.UTF_8).split("\n")) {
            lineNumber++;
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            String[] fields = text.split("\\s+", 3);
            long parent;
            Lsn end;
            try {
                parent = Long.parseLong(fields[0]);
                end = Lsn.parse(fields[1]);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("line " + lineNumber + " of the history of timeline " + timeline
                        + " is not '<parent timeline> <switch position> <reason>': " + text);
            }
            if (parent <= previous || parent >= timeline || end.isBefore(previousEnd)) {
                throw new IllegalArgumentException("line " + lineNumber + " of the history of timeline " + timeline
                        + ": timelines must increase and stay below " + timeline + ", positions must not go back");
            }
            entries.add(new Entry(parent, end, fields.length > 2 ? fields[2] : ""));
            previous = parent;
            previousEnd = end;
        }
        if (entries.isEmpty() && timeline > 1) {
            throw new IllegalArgumentException("the history of timeline " + timeline + " names no parent timeline");
        }
        return new TimelineHistory(timeline, List.copyOf(entries));
    }

    /** True when {@code other} is this timeline or one of its ancestors. */
    public boolean contains(long other) {
        return other == timeline || ancestors.stream().anyMatch(e -> e.timeline() == other);
    }

    /** Where {@code ancestor} ends on the way to this timeline; empty for this timeline itself (it has not ended). */
    public Optional<Lsn> endOf(long ancestor) {
        return ancestors.stream().filter(e -> e.timeline() == ancestor).map(Entry::end).findFirst();
    }

    /** Where {@code member} begins on this path: the end of the ancestor before it, or the start of WAL. */
    public Lsn beginOf(long member) {
        Lsn begin = Lsn.ZERO;
        for (Entry entry : ancestors) {
            if (entry.timeline() == member) {
                return begin;
            }
            begin = entry.end();
        }
        return begin;
    }

    /**
     * The timeline whose file holds segment {@code number} on this path: as PostgreSQL reads it, the
     * newest timeline of the path that has begun by that segment (the segment where a timeline branches
     * off is read from the child, which carries a copy of the parent's part).
     */
    public long timelineOfSegment(long number, long segmentSize) {
        long result = ancestors.isEmpty() ? timeline : ancestors.get(0).timeline();
        for (Entry entry : ancestors) {
            if (entry.end().segment(segmentSize) <= number) {
                result = nextAfter(entry.timeline());
            }
        }
        return result;
    }

    private long nextAfter(long ancestor) {
        for (int i = 0; i < ancestors.size(); i++) {
            if (ancestors.get(i).timeline() == ancestor) {
                return i + 1 < ancestors.size() ? ancestors.get(i + 1).timeline() : timeline;
            }
        }
        return timeline;
    }

    /**
     * True when a base backup taken on {@code backupTimeline} starting at {@code start} can recover onto
     * this timeline: its timeline is on the path, and it started before that timeline ended.
     */
    public boolean reachableFrom(long backupTimeline, Lsn start) {
        if (!contains(backupTimeline)) {
            return false;
        }
        return endOf(backupTimeline).map(start::isBefore).orElse(true);
    }
}
