package com.mking.backup.alert;

/**
 * Something an operator must hear about. {@code condition} identifies what is wrong (for example
 * {@code backup-failed:pg-logical}); the same open condition alerts once, then again only when its level
 * or detail changes or after the quiet period. Levels are the plan's good / warning / danger.
 */
public record Alert(String condition, Level level, String subject, String detail) {

    public enum Level { GOOD, WARNING, DANGER }
}
