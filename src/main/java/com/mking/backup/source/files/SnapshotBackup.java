package com.mking.backup.source.files;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.mking.backup.pipeline.Compression;
import com.mking.backup.pipeline.ReadAheadIterator;
import com.mking.backup.pipeline.Sha256;
import com.mking.backup.pipeline.WriteBehind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One snapshot of a directory tree: the tree is walked in index order beside the previous snapshot's index (a sorted
 * merge, both streamed). A file with the same type, size, mtime, ctime and inode as before keeps its content
 * reference without being read; any other file is read once, hashed and packed. A file that changes while it is read
 * (its size or times differ after the read) is read once more; if it changes again it is stored as read and marked
 * {@code changedWhileRead}. Heap: the pack table (a few hundred bytes per pack), one directory's names per level of
 * the walk, and a read buffer; never a map of all paths.
 */
final class SnapshotBackup {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotBackup.class);
    /** Largest blob: a file above this is split into parts of this size. */
    static final int PART_SIZE = 8 << 20;

    private final String job;
    private final TreeScanner scanner;
    private final PreviousSnapshot previous;
    private final PackWriter packs;
    private final Set<String> referenced = new HashSet<>();
    private final byte[] buffer = new byte[1 << 20];
    private final List<String> changedWhileRead = new ArrayList<>();

    private long files;
    private long directories;
    private long symlinks;
    private long bytes;
    private long added;
    private long modified;
    private long unchanged;
    /** Of the unchanged: files whose stat changed, found identical by their SHA-256. */
    private long sameContent;
    private long deleted;
    private long bytesRead;
    private long bytesPacked;
    private long appended;
    private int changedWhileReadCount;
    /** Why the previous index ended early, or null. */
    private String previousIndexBroken;

    /** @param previous the last snapshot, or {@link PreviousSnapshot#NONE} */
    SnapshotBackup(String job, TreeScanner scanner, PreviousSnapshot previous, PackWriter packs) {
        this.job = job;
        this.scanner = scanner;
        this.previous = previous;
        this.packs = packs;
    }

    /**
     * Writes {@code files.idx}: the walk merged with the previous index; new and changed content goes into packs. The
     * index is spooled (zstd, a temporary file only this user reads) and written out once every pack is stored: an
     * upload of the index running beside the packs' would hold a store's part buffer that the packs wait for.
     */
    void writeIndex(OutputStream out) throws IOException {
        Path spool = Files.createTempFile("mking-files-idx-", ".zst");
        try {
            spoolIndex(spool);
            try (InputStream spooled = Compression.ZSTD.decompress(new BufferedInputStream(Files.newInputStream(spool)))) {
                spooled.transferTo(out);
            }
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    private void spoolIndex(Path spool) throws IOException {
        try (OutputStream spooled = Compression.ZSTD.compress(new BufferedOutputStream(Files.newOutputStream(spool)), 1, 0);
             SequenceWriter index = SnapshotIndex.entryWriter(spooled);
             WriteBehind<FileEntry> written = new WriteBehind<>(index::write, "mking-index-write-" + job);
             PeekingEntries old = new PeekingEntries()) {
            scanner.scan((scanned, file) -> {
                FileEntry was = old.advanceTo(scanned.path(), () -> deleted++);
                FileEntry entry = entry(scanned, file, was);
                if (entry != null) {
                    written.accept(entry);
                }
            });
            old.advanceTo(null, () -> deleted++);
            packs.finish();
        } catch (IOException | RuntimeException | Error e) {
            packs.abort(e);
            throw e;
        } finally {
            packs.close();
        }
        if (scanner.unreadableCount() > 0) {
            packs.abort(new IOException("unreadable files"));
            throw new IOException(scanner.unreadableCount() + " path(s) under the directory could not be read, e.g. "
                    + String.join(", ", scanner.unreadable().subList(0, Math.min(3, scanner.unreadable().size())))
                    + ": give this user read access (or exclude them with the job's exclude parameter)");
        }
        if (scanner.undecodableCount() > 0) {
            packs.abort(new IOException("undecodable file names"));
            throw new IOException(scanner.undecodableCount() + " file name(s) under the directory are not valid UTF-8 and "
                    + "could not be stored under their own name, e.g. "
                    + String.join(", ", scanner.undecodable().subList(0, Math.min(3, scanner.undecodable().size())))
                    + " (\uFFFD marks the bytes): rename them to UTF-8 (convmv -f latin1 -t utf-8 -r --notest DIR) "
                    + "or exclude them with the job's exclude parameter");
        }
        if (changedWhileReadCount > 0) {
            LOG.warn("job {}: {} file(s) changed while they were read, twice; stored as read and marked changed-while-read: {}",
                    job, changedWhileReadCount, String.join(", ", changedWhileRead));
        }
    }

    /** Writes {@code packs.idx}: every pack the index references, kept ones first, then this run's. */
    void writePacks(OutputStream out) throws IOException {
        try (SequenceWriter table = SnapshotIndex.packWriter(out)) {
            for (PackRecord pack : previous.packs().values()) {
                if (referenced.contains(pack.id())) {
                    table.write(pack);
                }
            }
            for (PackRecord pack : packs.written()) {
                if (referenced.contains(pack.id())) {
                    table.write(pack);
                }
            }
        }
    }

    /** What the snapshot holds and what this run did, for the manifest (counts only: names stay in the encrypted index). */
    Map<String, String> details() {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("files", Long.toString(files));
        details.put("directories", Long.toString(directories));
        details.put("symlinks", Long.toString(symlinks));
        details.put("bytes", Long.toString(bytes));
        details.put("filesNew", Long.toString(added));
        details.put("filesChanged", Long.toString(modified));
        details.put("filesUnchanged", Long.toString(unchanged));
        details.put("filesSameContent", Long.toString(sameContent));
        details.put("filesDeleted", Long.toString(deleted));
        details.put("filesAppended", Long.toString(appended));
        details.put("bytesRead", Long.toString(bytesRead));
        details.put("bytesPacked", Long.toString(bytesPacked));
        details.put("packsWritten", Integer.toString(packs.written().size()));
        details.put("packBytesStored", Long.toString(packs.storedBytes()));
        details.put("packsReferenced", Integer.toString(referenced.size()));
        details.put("changedWhileRead", Integer.toString(changedWhileReadCount));
        if (scanner.skippedSpecial() > 0) {
            details.put("skippedSpecialFiles", Integer.toString(scanner.skippedSpecial()));
        }
        details.put("previousSnapshot", previous.backupId() == null ? "none" : previous.backupId());
        if (previousIndexBroken != null) {
            details.put("previousIndexIncomplete", "true");
        }
        return details;
    }

    private FileEntry entry(FileEntry scanned, Path file, FileEntry was) throws IOException {
        if (scanned.isDirectory()) {
            directories++;
            return scanned;
        }
        if (scanned.isSymlink()) {
            symlinks++;
            return scanned;
        }
        files++;
        FileEntry stored;
        // a file stored torn (changed while read) is read again even when it looks unchanged now
        if (was != null && was.isFile() && was.sameStatAs(scanned) && was.sha256() != null && previous.hasAll(was.blobs())
                && !Boolean.TRUE.equals(was.changedWhileRead())) {
            unchanged++;
            stored = scanned.withContent(was.size(), was.sha256(), was.blobs(), false);
        } else if ((stored = sameContent(scanned, file, was)) != null) {
            unchanged++;
            sameContent++;
        } else {
            if (was == null) {
                added++;
            } else {
                modified++;
            }
            stored = read(scanned, file, was);
            if (stored == null) { // deleted between the walk and the read: not in the tree any more
                files--;
                return null;
            }
        }
        bytes += stored.size();
        stored.blobs().forEach(blob -> referenced.add(blob.pack()));
        return stored;
    }

    /**
     * A file whose stat changed but not its size (touched, copied back by a restore, rewritten with the same bytes):
     * hashed first, and when the content is what the previous snapshot stored, that content is kept instead of storing
     * it again. Null when it differs (it is then read again to be stored), changed while hashed, or cannot be compared.
     */
    private FileEntry sameContent(FileEntry scanned, Path file, FileEntry was) throws IOException {
        if (was == null || !was.isFile() || was.sha256() == null || was.size() != scanned.size() || scanned.size() == 0
                || Boolean.TRUE.equals(was.changedWhileRead()) || !previous.hasAll(was.blobs())) {
            return null;
        }
        MessageDigest digest;
        try {
            digest = headDigest(file, scanned.size());
        } catch (java.nio.file.AccessDeniedException | java.nio.file.NoSuchFileException e) {
            return null; // reading it to store it says so
        }
        bytesRead += scanned.size();
        if (digest == null || !Sha256.hex(digest.digest()).equals(was.sha256())) {
            return null;
        }
        FileEntry after;
        try {
            after = TreeScanner.stat(file, scanned.path());
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
        if (after == null || after.size() != scanned.size() || after.mtime() != scanned.mtime() || after.ctime() != scanned.ctime()) {
            return null; // written to while hashed: read (and stored) as any changed file
        }
        return scanned.withContent(was.size(), was.sha256(), was.blobs(), false);
    }

    /**
     * Reads, hashes and packs a file; once more when it changed meanwhile. A file that only grew (an append-only log:
     * same inode, and its first {@code was.size} bytes still hash to what the previous snapshot stored) keeps its old
     * blobs for that head and only its new tail is packed.
     */
    private FileEntry read(FileEntry scanned, Path file, FileEntry was) throws IOException {
        FileEntry baseline = scanned;
        for (int attempt = 1; ; attempt++) {
            MessageDigest whole = Sha256.newDigest();
            List<FileEntry.Blob> blobs = new ArrayList<>();
            long total = 0;
            boolean tailOnly = false;
            if (grewFrom(was, baseline)) {
                MessageDigest head = headDigest(file, was.size());
                MessageDigest continued = cloneOf(head);
                if (head != null && Sha256.hex(head.digest()).equals(was.sha256())) {
                    whole = continued;
                    total = was.size();
                    blobs.addAll(headBlobs(was));
                    tailOnly = true;
                }
            }
            // every blob of a file with several has its own SHA-256, whatever size stat said: the first blob's is the
            // whole file's so far (no second pass), from a head kept or the second blob on a digest of its own
            MessageDigest part = blobs.isEmpty() ? null : Sha256.newDigest();
            long inBlob = 0;
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                in.skipNBytes(total);
                bytesRead += total; // the head, read once to compare its SHA-256
                for (int n; (n = in.read(buffer, 0, (int) Math.min(buffer.length, PART_SIZE - inBlob))) > 0; ) {
                    if (inBlob == 0) {
                        packs.beginBlob();
                    }
                    whole.update(buffer, 0, n);
                    if (part != null) {
                        part.update(buffer, 0, n);
                    }
                    packs.write(buffer, 0, n);
                    total += n;
                    bytesRead += n;
                    inBlob += n;
                    if (inBlob == PART_SIZE) {
                        blobs.add(packs.endBlob(Sha256.hex(part == null ? cloneOf(whole).digest() : part.digest())));
                        part = Sha256.newDigest();
                        inBlob = 0;
                    }
                }
            } catch (java.nio.file.AccessDeniedException e) {
                scanner.reportUnreadable(scanned.path());
                return scanned.withContent(0, null, List.of(), false);
            } catch (java.nio.file.NoSuchFileException e) {
                return null;
            }
            if (inBlob > 0) {
                blobs.add(packs.endBlob(Sha256.hex(part == null ? cloneOf(whole).digest() : part.digest())));
            }
            bytesPacked += packedOf(blobs, was);
            if (blobs.size() == 1) {
                blobs = List.of(new FileEntry.Blob(blobs.get(0).pack(), blobs.get(0).offset(), blobs.get(0).length(), null));
            }
            FileEntry after;
            try {
                after = TreeScanner.stat(file, scanned.path());
            } catch (java.nio.file.NoSuchFileException e) {
                after = null;
            }
            if (after == null) { // deleted while it was read: not in the tree any more
                return null;
            }
            boolean steady = total == baseline.size() && after.size() == total
                    && after.mtime() == baseline.mtime() && after.ctime() == baseline.ctime();
            if (steady || attempt == 2) {
                if (!steady) {
                    changedWhileReadCount++;
                    if (changedWhileRead.size() < 20) {
                        changedWhileRead.add(scanned.path());
                    }
                }
                if (tailOnly) {
                    appended++;
                }
                FileEntry seen = after != null && !steady ? after : baseline;
                return seen.withContent(total, Sha256.hex(whole.digest()), blobs, !steady);
            }
            LOG.info("job {}: {} changed while it was read; reading it once more", job, scanned.path());
            baseline = after;
        }
    }

    /** Whether {@code now} is {@code was} grown: the same file (inode), longer, its old content stored and still there. */
    private boolean grewFrom(FileEntry was, FileEntry now) {
        return was != null && was.isFile() && was.sha256() != null && was.inode() == now.inode() && was.size() > 0
                && now.size() > was.size() && was.blobs() != null && !was.blobs().isEmpty() && previous.hasAll(was.blobs());
    }

    /** SHA-256 of the first {@code length} bytes of {@code file} (null when it is shorter now). */
    private MessageDigest headDigest(Path file, long length) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            for (long left = length; left > 0; ) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    return null;
                }
                digest.update(buffer, 0, n);
                left -= n;
            }
        }
        return digest;
    }

    private static MessageDigest cloneOf(MessageDigest digest) {
        try {
            return digest == null ? null : (MessageDigest) digest.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 state cannot be copied", e);
        }
    }

    /** The blobs of a file's previous content, each with its own SHA-256 (a single blob's was the file's). */
    private static List<FileEntry.Blob> headBlobs(FileEntry was) {
        if (was.blobs().size() == 1 && was.blobs().get(0).sha256() == null) {
            FileEntry.Blob only = was.blobs().get(0);
            return List.of(new FileEntry.Blob(only.pack(), only.offset(), only.length(), was.sha256()));
        }
        return was.blobs();
    }

    /** Bytes of {@code blobs} written by this run (not carried over from {@code was}). */
    private static long packedOf(List<FileEntry.Blob> blobs, FileEntry was) {
        java.util.Set<String> old = new java.util.HashSet<>();
        if (was != null && was.blobs() != null) {
            was.blobs().forEach(blob -> old.add(blob.pack() + "@" + blob.offset()));
        }
        return blobs.stream().filter(blob -> !old.contains(blob.pack() + "@" + blob.offset()))
                .mapToLong(FileEntry.Blob::length).sum();
    }

    /**
     * The previous index, one entry ahead, decoded on a thread of its own while the walk stats files on this one. An
     * index that cannot be read to its end (a damaged copy) ends where it broke: every file after that point is read and
     * stored again, as in a first snapshot, instead of failing every later run.
     */
    private final class PeekingEntries implements AutoCloseable {
        private InputStream raw;
        private ReadAheadIterator<FileEntry> entries;
        private FileEntry next;
        private long read;

        PeekingEntries() {
            try {
                raw = previous.openIndex();
                // the JSON reader reads the first bytes here; the rest is decoded ahead
                entries = new ReadAheadIterator<>(SnapshotIndex.entries(raw), "mking-index-read-" + job);
                next = pull();
            } catch (IOException | RuntimeException e) {
                broken(e);
            }
        }

        private FileEntry pull() {
            if (previousIndexBroken != null) {
                return null;
            }
            try {
                if (entries.hasNext()) {
                    read++;
                    return entries.next();
                }
                return null;
            } catch (ReadAheadIterator.Interrupted e) {
                throw e; // the run is being stopped: the index is not damaged
            } catch (RuntimeException e) { // Jackson's iterator wraps the stream's IOException (authentication, SHA-256)
                broken(e);
                return null;
            }
        }

        private void broken(Exception e) {
            previousIndexBroken = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            LOG.warn("job {}: the index of snapshot {} could not be read past entry {} ({}); every file after it is "
                    + "read and stored again", job, previous.backupId(), read, previousIndexBroken);
        }

        @Override
        public void close() throws IOException {
            if (entries != null) {
                entries.close();
            }
            if (raw != null) {
                raw.close();
            }
        }

        /** Skips (as deleted) entries before {@code path}; returns the entry at {@code path}, if any. Null: to the end. */
        FileEntry advanceTo(String path, Runnable onDeleted) {
            while (next != null && (path == null || FileEntry.compare(next.path(), path) < 0)) {
                if (!next.isDirectory()) {
                    onDeleted.run();
                }
                next = pull();
            }
            if (next != null && next.path().equals(path)) {
                FileEntry found = next;
                next = pull();
                return found;
            }
            return null;
        }
    }
}
