package com.mking.backup.source.postgres.recovery;

/**
 * Which timeline a recovery follows, as PostgreSQL's {@code recovery_target_timeline}: {@code latest} (the
 * newest timeline whose history reaches back to the base backup's), {@code current} (the base backup's
 * own) or a number.
 */
public record TimelineChoice(Mode mode, long number) {

    public enum Mode { LATEST, CURRENT, NUMBER }

    public static final TimelineChoice LATEST = new TimelineChoice(Mode.LATEST, 0);

    /** Parses {@code latest}, {@code current} or a timeline number (decimal, or hex as in WAL file names with 0x). */
    public static TimelineChoice parse(String text) {
        String value = text.trim().toLowerCase();
        if (value.equals("latest")) {
            return LATEST;
        }
        if (value.equals("current")) {
            return new TimelineChoice(Mode.CURRENT, 0);
        }
        try {
            long number = value.startsWith("0x") ? Long.parseLong(value.substring(2), 16) : Long.parseLong(value);
            if (number >= 1) {
                return new TimelineChoice(Mode.NUMBER, number);
            }
        } catch (NumberFormatException ignored) {
            // falls through to the message
        }
        throw new IllegalArgumentException("--timeline '" + text + "' is not latest, current or a timeline number such as 2");
    }

    @Override
    public String toString() {
        return mode == Mode.NUMBER ? Long.toString(number) : mode.name().toLowerCase();
    }
}
