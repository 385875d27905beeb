package com.mking.backup.audit;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/** The audit tables use TIMESTAMP without time zone (as in the plan); every value written is UTC. */
public final class AuditTimes {

    private AuditTimes() {
    }

    public static LocalDateTime utc(Instant instant) {
        return instant == null ? null : LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static final java.time.format.DateTimeFormatter SHOWN = java.time.format.DateTimeFormatter.ofPattern(
            "yyyy-MM-dd HH:mm:ss");

    /** As commands print a time: seconds always there (LocalDateTime.toString drops ":00", every cron run's). */
    public static String shown(LocalDateTime time) {
        return time.format(SHOWN);
    }

    /** Whole seconds from start to end, or null while not finished. */
    public static Integer seconds(Instant start, Instant end) {
        return end == null ? null : (int) Math.round((end.toEpochMilli() - start.toEpochMilli()) / 1000.0);
    }
}
