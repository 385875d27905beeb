package com.mking.backup.exec;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The environment a tool starts with: ours, without mking-backup's own settings ({@code MKING_*}: S3 secret keys, the
 * WAL token, mail and Slack passwords) and without the variables jobs name as holding a password ({@code passwordEnv}),
 * which no other tool needs and a server it starts (a recovered PostgreSQL) would keep for its lifetime in
 * {@code /proc/PID/environ}. A tool's own secrets ({@link ToolBinding}) are added after this.
 */
public final class ToolEnvironment {

    static final String OUR_PREFIX = "MKING_";
    private static final Set<String> SECRET_VARIABLES = ConcurrentHashMap.newKeySet();

    private ToolEnvironment() {
    }

    /** {@code variable} holds a password (a job's passwordEnv): no tool gets it but through its own secrets. */
    public static void holdsASecret(String variable) {
        if (variable != null && !variable.isBlank()) {
            SECRET_VARIABLES.add(variable);
        }
    }

    /** Removes our settings and the secret variables from {@code builder}'s environment, but {@code kept}; returns it. */
    public static ProcessBuilder withoutOurSettings(ProcessBuilder builder, String... kept) {
        scrub(builder.environment(), Set.of(kept));
        return builder;
    }

    static void scrub(Map<String, String> environment, Set<String> kept) {
        environment.keySet().removeIf(name -> !kept.contains(name)
                && (name.startsWith(OUR_PREFIX) || SECRET_VARIABLES.contains(name)));
    }
}
