package com.mking.backup.config;

import org.quartz.CronExpression;

import java.util.Optional;

/** Quartz cron expressions, with the fix for the usual mistakes spelled out. */
public final class CronCheck {

    private CronCheck() {
    }

    /** What is wrong with the expression, naming the fix; empty when Quartz accepts it. */
    public static Optional<String> problem(String cron) {
        String value = cron.trim();
        if (CronExpression.isValidExpression(value)) {
            return Optional.empty();
        }
        String[] fields = value.split("\\s+");
        if (fields.length < 6 || fields.length > 7) {
            return Optional.of("'" + value + "' has " + fields.length + " fields; a Quartz cron has six or seven: seconds "
                    + "minutes hours day-of-month month day-of-week [year], e.g. \"0 0 3 ? * SUN\"");
        }
        if (!fields[3].equals("?") && !fields[5].equals("?")) {
            // Quartz cannot have both days: one of them must be '?'
            String[] fixed = fields.clone();
            if (fields[5].equals("*")) {
                fixed[5] = "?";
            } else {
                fixed[3] = "?";
            }
            return Optional.of("'" + value + "' gives both a day of month (" + fields[3] + ") and a day of week (" + fields[5]
                    + "); Quartz needs one of them to be '?': \"" + String.join(" ", fixed) + "\"");
        }
        try {
            new CronExpression(value);
            return Optional.of("'" + value + "' is not a valid Quartz cron");
        } catch (java.text.ParseException e) {
            return Optional.of("'" + value + "' is not a valid Quartz cron (" + e.getMessage() + ")");
        }
    }
}
