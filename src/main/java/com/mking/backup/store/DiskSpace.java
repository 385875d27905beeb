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

    /** Whether {@code message} reports a full disk (or one out of inodes: the same error). */
    public static boolean full(String message) {
        return message != null && message.contains(NO_SPACE);
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
