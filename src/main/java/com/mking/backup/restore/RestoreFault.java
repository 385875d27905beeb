package com.mking.backup.restore;

import com.mking.backup.pipeline.CorruptArtefactException;
import com.mking.backup.pipeline.StoreReadException;
import com.mking.backup.source.RestoreTarget;
import com.mking.backup.source.UnmatchedRequestException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Where a failed restore's fault lies, which decides the operator's next step and whether anyone is alerted. */
public enum RestoreFault {
    /** What was asked matches nothing in the backup (an --include): nothing is wrong, nobody is alerted. */
    OPERATOR_MISTAKE,
    /** The copy read could not be read, or its bytes are not what was written: another store's copy may restore. */
    COPY,
    /** The target's disk filled up: another copy would fail the same way; free space or restore elsewhere. */
    TARGET_FULL,
    /** Anything else (the target refused, a tool failed): the message says what. */
    OTHER;

    /** strerror(ENOSPC), as the JDK and PostgreSQL's tools report it. */
    private static final String NO_SPACE = "No space left on device";

    public static RestoreFault of(Throwable caught) {
        boolean copy = false;
        for (Throwable t = caught; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UnmatchedRequestException) {
                return OPERATOR_MISTAKE;
            }
            if (t.getMessage() != null && t.getMessage().contains(NO_SPACE)) {
                return TARGET_FULL;
            }
            copy |= t instanceof StoreReadException || t instanceof CorruptArtefactException;
        }
        return copy ? COPY : OTHER;
    }

    /** For {@link #TARGET_FULL}: what is free where the target is, and what to do; empty otherwise. */
    public Optional<String> advice(RestoreTarget target) {
        if (this != TARGET_FULL) {
            return Optional.empty();
        }
        String free = target instanceof RestoreTarget.FileTree tree ? freeSpace(tree.path())
                : target instanceof RestoreTarget.Directory directory ? freeSpace(directory.path()) : "";
        return Optional.of("the restore target ran out of disk space" + free + ": free space there or restore elsewhere "
                + "(another copy of the backup would fail the same way)");
    }

    private static String freeSpace(Path target) {
        Path existing = target.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            return existing == null ? "" : " (" + (Files.getFileStore(existing).getUsableSpace() >> 20) + " MiB free on the "
                    + "filesystem of " + existing + ")";
        } catch (IOException e) {
            return "";
        }
    }
}
