package com.mking.backup.source;

import com.mking.backup.config.Settings;
import com.mking.backup.exec.RemoteShell;

/**
 * Makes one kind of {@link Source}. Factories are found with {@link java.util.ServiceLoader}: each is listed in
 * {@code META-INF/services/com.mking.backup.source.SourceFactory}, in the order the documentation lists the kinds.
 */
public interface SourceFactory {

    Source create(Context context);

    /**
     * What a source may take from the runtime: the settings, the SSH wrapper for jobs that run their tool on another
     * host, and late lookups of services that are made after the sources (e.g. WAL retention needs the job catalog).
     */
    record Context(Settings settings, RemoteShell remoteShell, Lookup lookup) {
    }

    /** Finds a service in the runtime's registry when it is needed, not when the source is made. */
    @FunctionalInterface
    interface Lookup {
        <T> T find(Class<T> type);
    }
}
