package com.mking.backup.config;

import java.util.List;
import java.util.Optional;

/**
 * One setting of {@code application.properties}: its name, type, default, what it means and an example.
 * The list in {@link KnownProperties} drives the checks at start-up (unknown keys, bad values) and the
 * configuration reference.
 */
public record PropertySpec(String name, Type type, String defaultValue, String description, String example) {

    /** What a value must look like; {@link #problem} says what is wrong with one, or nothing. */
    public sealed interface Type {
        Optional<String> problem(String value);

        String describe();
    }

    public record Text() implements Type {
        @Override
        public Optional<String> problem(String value) {
            return Optional.empty();
        }

        @Override
        public String describe() {
            return "text";
        }
    }

    public record Whole(long min, long max) implements Type {
        @Override
        public Optional<String> problem(String value) {
            try {
                long number = Long.parseLong(value.trim());
                return number < min || number > max ? Optional.of("'" + value + "' is out of range " + min + " to " + max)
                        : Optional.empty();
            } catch (NumberFormatException e) {
                return Optional.of("'" + value + "' is not a whole number (" + min + " to " + max + ")");
            }
        }

        @Override
        public String describe() {
            return "number " + min + "-" + max;
        }
    }

    public record Flag() implements Type {
        @Override
        public Optional<String> problem(String value) {
            return List.of("true", "false", "yes", "no", "on", "off").contains(value.trim().toLowerCase())
                    ? Optional.empty() : Optional.of("'" + value + "' is not true or false");
        }

        @Override
        public String describe() {
            return "true/false";
        }
    }

    public record OneOf(List<String> values) implements Type {
        @Override
        public Optional<String> problem(String value) {
            return values.contains(value.trim().toLowerCase()) ? Optional.empty()
                    : Optional.of("'" + value + "' is not one of " + String.join(", ", values));
        }

        @Override
        public String describe() {
            return String.join(" | ", values);
        }
    }

    public record Cron() implements Type {
        @Override
        public Optional<String> problem(String value) {
            return CronCheck.problem(value);
        }

        @Override
        public String describe() {
            return "Quartz cron";
        }
    }

    public static final Type TEXT = new Text();
    public static final Type FLAG = new Flag();
    public static final Type CRON = new Cron();
    public static final Type PORT = new Whole(1, 65535);

    public static Type whole(long min, long max) {
        return new Whole(min, max);
    }

    public static Type oneOf(String... values) {
        return new OneOf(List.of(values));
    }
}
