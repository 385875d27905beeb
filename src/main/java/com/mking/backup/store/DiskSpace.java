package com.mking.backup.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** A full disk, as the JDK and the tools report it, and what is free where: shared by the stores and restores. */
public final class DiskSpace {

    /** strerror(ENOSPC) in the C locale, the text the JDK and PostgreSQL's tools put in their messages. */
    private static final String NO_SPACE = "No space left on device";

    private DiskSpace() {
    }

    /** Below this, a failed write is taken for a full disk whatever its message says. */
    private static final long NEARLY_NOTHING = 1 << 20;

    /** Whether {@code message} reports a full disk (or one out of inodes: the same error). */
    public static boolean full(String message) {
        return message != null && message.contains(NO_SPACE);
    }

    /**
     * Whether a write into {@code where} failed on a full disk: its message says so in the C locale, or (any locale:
     * the JVM takes strerror's language from the environment) under 1 MiB is free there. Ask before removing what the
     * failed write left, which frees what it took.
     */
    public static boolean full(String message, Path where) {
        if (full(message)) {
            return true;
        }
        try {
            return Files.getFileStore(where).getUsableSpace() < NEARLY_NOTHING;
        } catch (IOException e) {
            return false;
        }
    }

    /** "N MiB free now on the filesystem of DIR", DIR the nearest existing directory of {@code path}. */
    public static Optional<String> freeNow(Path path) {
        Path existing = path.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            return existing == null ? Optional.empty() : Optional.of((Files.getFileStore(existing).getUsableSpace() >> 20)
                    + " MiB free now on the filesystem of " + existing);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
