package com.mking.backup.source.files;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The snapshot a new one builds on: its pack table, its index (opened as a stream when the merge starts), and the packs
 * every store of the job holds now. A file's content is carried over only when each of its packs is in that table and
 * in every store: a pack lost from one store, or a store newly added to the job, makes the file read and stored again.
 */
record PreviousSnapshot(String backupId, Map<String, PackRecord> packs, Set<String> packsInEveryStore, IndexOpener index) {

    /** Opens the previous {@code files.idx}, decoded; the caller closes it. */
    @FunctionalInterface
    interface IndexOpener {
        InputStream open() throws IOException;
    }

    static final PreviousSnapshot NONE = new PreviousSnapshot(null, Map.of(), Set.of(), InputStream::nullInputStream);

    InputStream openIndex() throws IOException {
        return index.open();
    }

    boolean hasAll(List<FileEntry.Blob> blobs) {
        for (FileEntry.Blob blob : blobs) {
            if (!packs.containsKey(blob.pack()) || !packsInEveryStore.contains(blob.pack())) {
                return false;
            }
        }
        return true;
    }
}
