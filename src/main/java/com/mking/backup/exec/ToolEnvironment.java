package com.mking.backup.exec;

import java.util.Map;

/**
 * The environment a tool starts with: ours, without mking-backup's own settings ({@code MKING_*}: S3 secret keys, the
 * WAL token, mail and Slack passwords), which no tool needs and a server it starts (a recovered PostgreSQL) would keep
 * for its lifetime in {@code /proc/PID/environ}. A tool's own secrets ({@link ToolBinding}) are added after this.
 */
public final class ToolEnvironment {

    static final String OUR_PREFIX = "MKING_";

    private ToolEnvironment() {
    }

    /** Removes our settings from {@code builder}'s environment and returns it. */
    public static ProcessBuilder withoutOurSettings(ProcessBuilder builder) {
        scrub(builder.environment());
        return builder;
    }

    static void scrub(Map<String, String> environment) {
        environment.keySet().removeIf(name -> name.startsWith(OUR_PREFIX));
    }
}
