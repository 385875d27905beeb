package com.mking.backup.source.postgres.recovery;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A recovery target time as an operator copies it: what PostgreSQL prints ({@code now()}:
 * {@code 2026-11-27 14:19:38.123456+00}, {@code to_char} with 1 to 6 fractional digits, zones like
 * {@code +05:30} or {@code -03}), ISO-8601 ({@code 2026-11-27T14:19:38Z}), or a zone name
 * ({@code 2026-11-27 14:19:38 UTC}). Without a zone the time is read in {@code defaultZone}, and the
 * result says so, because a guessed zone must be shown to the operator.
 */
public record TargetTime(Instant instant, ZoneId zone, boolean zoneAssumed) {

    private static final Pattern FORMAT = Pattern.compile(
            "(\\d{4}-\\d{2}-\\d{2})[ T](\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?)\\s*"
                    + "(Z|[+-]\\d{2}(?::?\\d{2}(?::?\\d{2})?)?|[A-Za-z][A-Za-z0-9_/+-]*)?");

    public static TargetTime parse(String text, ZoneId defaultZone) {
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches()) {
            throw invalid(text);
        }
        try {
            LocalDateTime local = LocalDateTime.parse(m.group(1) + "T" + m.group(2));
            String zoneText = m.group(3);
            ZoneId zone = zoneText == null ? defaultZone : zone(zoneText);
            return new TargetTime(local.atZone(zone).toInstant(), zone, zoneText == null);
        } catch (DateTimeException e) {
            throw invalid(text);
        }
    }

    private static ZoneId zone(String text) {
        if (text.equals("Z")) {
            return ZoneOffset.UTC;
        }
        if (text.startsWith("+") || text.startsWith("-")) {
            String digits = text.substring(1).replace(":", "");
            String normalized = text.charAt(0) + digits.substring(0, 2)
                    + (digits.length() >= 4 ? ":" + digits.substring(2, 4) : "")
                    + (digits.length() == 6 ? ":" + digits.substring(4, 6) : "");
            return ZoneOffset.of(normalized);
        }
        return ZoneId.of(text);
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("--time '" + text + "' is not a time; use what PostgreSQL prints, e.g. "
                + "'2026-11-25 10:00:00.123456+00' (SELECT now()), or ISO-8601 such as 2026-11-25T10:00:00Z; "
                + "without a zone the local time zone is used");
    }
}
