package com.mking.backup.restore;

import com.mking.backup.pipeline.CorruptArtefactException;
import com.mking.backup.pipeline.StoreReadException;
import com.mking.backup.source.RestoreTarget;
import com.mking.backup.source.UnmatchedRequestException;
import com.mking.backup.store.DiskSpace;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Where a failed restore's fault lies, which decides the operator's next step and whether anyone is alerted. */
public enum RestoreFault {
    /** What was asked matches nothing in the backup (an --include): nothing is wrong, nobody is alerted. */
    OPERATOR_MISTAKE,
    /** The copy read could not be read, or its bytes are not what was written: another store's copy may restore. */
    COPY,
    /**
     * A disk filled up: the target's, the database server's, or the directory of a decoded copy (pg_restore -j). Another
     * copy of the backup would fail the same way; free space or restore elsewhere.
     */
    DISK_FULL,
    /** Anything else (the target refused, a tool failed): the message says what. */
    OTHER;

    public static RestoreFault of(Throwable caught) {
        boolean copy = false;
        for (Throwable t = caught; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UnmatchedRequestException) {
                return OPERATOR_MISTAKE;
            }
            if (DiskSpace.full(t.getMessage())) {
                return DISK_FULL;
            }
            copy |= t instanceof StoreReadException || t instanceof CorruptArtefactException;
        }
        return copy ? COPY : OTHER;
    }

    /**
     * For {@link #DISK_FULL}: the places that may have filled up with what is free there now (the partial restore is
     * removed by then), the backup's size, and what to do; empty otherwise. {@code decodedCopies}: where the restore
     * wrote a decoded copy, or null.
     */
    public Optional<String> advice(RestoreTarget target, Path decodedCopies, Long rawSize) {
        if (this != DISK_FULL) {
            return Optional.empty();
        }
        List<String> places = new ArrayList<>();
        if (target instanceof RestoreTarget.FileTree tree) {
            DiskSpace.freeNow(tree.path()).ifPresent(places::add);
        } else if (target instanceof RestoreTarget.Directory directory) {
            DiskSpace.freeNow(directory.path()).ifPresent(places::add);
        } else if (target instanceof RestoreTarget.Database) {
            places.add("the database server's disk (the tool's message names the file)");
        }
        if (decodedCopies != null) {
            DiskSpace.freeNow(decodedCopies).map(free -> free + ", where the decoded copy went").ifPresent(places::add);
        }
        return Optional.of("a disk filled up during the restore (or ran out of inodes)"
                + (places.isEmpty() ? "" : ": " + String.join("; ", places))
                + (rawSize == null ? "" : "; the backup is " + (rawSize >> 20) + " MiB before compression")
                + ". Free space there or restore elsewhere (another copy of the backup would fail the same way)");
    }
}
