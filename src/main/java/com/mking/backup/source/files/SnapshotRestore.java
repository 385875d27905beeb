package com.mking.backup.source.files;

import com.fasterxml.jackson.databind.MappingIterator;
import com.mking.backup.pipeline.ArtefactReader;
import com.mking.backup.pipeline.CorruptArtefactException;
import com.mking.backup.pipeline.Sha256;
import com.mking.backup.store.Store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Restores a snapshot (or the paths matching some globs) into a scratch directory, in two steps that follow its two
 * artefacts: {@link #plan} reads {@code files.idx}, creates the directories, symlinks and empty files and keeps the list
 * of files to fill; {@link #extract} reads {@code packs.idx}, then each pack needed once, front to back, writing every
 * blob into its file at its place (runs of zeros left as holes, {@link HoleWriter}) and comparing its SHA-256 with the
 * index before anything counts as restored. Modes,
 * times and (as root) owners are set last, directories deepest first. Memory: one entry per restored file and
 * directory (about its path plus 100 bytes), as restic's restorer holds.
 */
final class SnapshotRestore {

    private final String job;
    private final Path scratch;
    private final List<PathMatcher> includes = new ArrayList<>();
    private final ArtefactReader reader;
    private final List<FileEntry> files = new ArrayList<>();
    private final List<FileEntry> directories = new ArrayList<>();
    /** Made after every file is written: no write ever goes through a restored symlink (a forged index: 'a' -> /etc, then 'a/x'). */
    private final List<FileEntry> links = new ArrayList<>();
    private final boolean asRoot = asRoot();
    private long restoredBytes;
    private int symlinks;

    SnapshotRestore(String job, Path scratch, List<String> includeGlobs, ArtefactReader reader) {
        this.job = job;
        this.scratch = scratch;
        this.reader = reader;
        for (String glob : includeGlobs) {
            includes.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
        }
    }

    /** Whether {@code path} is selected: no globs, or a glob matches it or one of the directories above it. */
    static boolean selected(String path, List<PathMatcher> includes) {
        if (includes.isEmpty()) {
            return true;
        }
        for (String at = path; !at.isEmpty(); at = at.contains("/") ? at.substring(0, at.lastIndexOf('/')) : "") {
            for (PathMatcher include : includes) {
                if (include.matches(Path.of(at))) {
                    return true;
                }
            }
        }
        return false;
    }

    List<PathMatcher> includes() {
        return includes;
    }

    /** Step 1, on {@code files.idx}: the tree's shape. */
    void plan(InputStream index) throws IOException {
        boolean anySelected = false;
        try (MappingIterator<FileEntry> entries = SnapshotIndex.entries(index)) {
            while (entries.hasNext()) {
                FileEntry entry = entries.next();
                Path file = inScratch(entry.path());
                if (entry.isDirectory()) {
                    directories.add(entry); // created when something selected is in it, or when selected itself
                    if (selected(entry.path(), includes)) {
                        Files.createDirectories(file);
                        anySelected = true;
                    }
                    continue;
                }
                if (!selected(entry.path(), includes)) {
                    continue;
                }
                anySelected = true;
                Files.createDirectories(file.getParent());
                if (entry.isSymlink()) {
                    links.add(entry);
                    symlinks++;
                } else {
                    Files.createFile(file);
                    files.add(entry);
                }
            }
        }
        if (!anySelected && !includes.isEmpty()) {
            throw new com.mking.backup.source.UnmatchedRequestException("--include matches no path in this snapshot: globs name paths below the "
                    + "backed-up directory, e.g. --include 'avatars' or --include 'avatars/**/*.png'");
        }
    }

    /** Step 2, on {@code packs.idx}: the content, pack by pack, then the attributes. */
    void extract(InputStream packTable, Store store) throws IOException {
        Map<String, PackRecord> packs = packTable(packTable);
        Map<String, List<Piece>> byPack = piecesByPack(files, packs);
        byte[] buffer = new byte[1 << 20];
        readPieces(reader, store, job, packs, byPack, false, (piece, bytes) -> writePiece(bytes, piece, buffer));
        for (FileEntry link : links) {
            Path path = inScratch(link.path());
            Files.createSymbolicLink(path, Path.of(link.link())); // fails on a path a directory or file already took
            setTimes(path, link);
        }
        for (FileEntry file : files) {
            Path path = inScratch(file.path());
            setOwner(path, file);
            Files.setAttribute(path, "unix:mode", file.mode());
            setTimes(path, file);
        }
        List<FileEntry> deepestFirst = new ArrayList<>(directories);
        java.util.Collections.reverse(deepestFirst);
        for (FileEntry directory : deepestFirst) {
            Path path = inScratch(directory.path());
            if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                setOwner(path, directory);
                Files.setAttribute(path, "unix:mode", directory.mode());
                setTimes(path, directory);
            }
        }
    }

    static Map<String, PackRecord> packTable(InputStream packTable) throws IOException {
        Map<String, PackRecord> packs = new LinkedHashMap<>();
        try (MappingIterator<PackRecord> records = SnapshotIndex.packs(packTable)) {
            while (records.hasNext()) {
                PackRecord pack = records.next();
                packs.put(pack.id(), pack);
            }
        }
        return packs;
    }

    /** Every blob of {@code files}, grouped by pack; a pack the table does not list means a damaged snapshot. */
    static Map<String, List<Piece>> piecesByPack(List<FileEntry> files, Map<String, PackRecord> packs) throws IOException {
        Map<String, List<Piece>> byPack = new LinkedHashMap<>();
        for (int f = 0; f < files.size(); f++) {
            FileEntry file = files.get(f);
            long at = 0;
            for (FileEntry.Blob blob : file.blobs()) {
                if (!packs.containsKey(blob.pack())) {
                    throw new CorruptArtefactException("the snapshot's index names pack " + blob.pack() + ", which its pack "
                            + "table does not list");
                }
                byPack.computeIfAbsent(blob.pack(), id -> new ArrayList<>()).add(new Piece(f, at, blob,
                        blob.sha256() != null ? blob.sha256() : file.sha256()));
                at += blob.length();
            }
        }
        return byPack;
    }

    int fileCount() {
        return files.size();
    }

    int symlinkCount() {
        return symlinks;
    }

    long restoredBytes() {
        return restoredBytes;
    }

    private void writePiece(InputStream bytes, Piece piece, byte[] buffer) throws IOException {
        FileEntry file = files.get(piece.file());
        MessageDigest digest = Sha256.newDigest();
        try (FileChannel channel = FileChannel.open(inScratch(file.path()), StandardOpenOption.WRITE)) {
            HoleWriter writer = new HoleWriter(channel, piece.fileOffset());
            for (int n; (n = bytes.readNBytes(buffer, 0, buffer.length)) > 0; ) {
                digest.update(buffer, 0, n);
                writer.write(buffer, n);
            }
            writer.finish();
        }
        restoredBytes += piece.blob().length();
        if (!Sha256.hex(digest.digest()).equals(piece.sha256())) {
            throw new CorruptArtefactException("the content of " + file.path() + " read from pack " + piece.blob().pack()
                    + " does not match its SHA-256 in the snapshot's index");
        }
    }

    /** The path inside the scratch directory; a path that would leave it (a forged index) is refused. */
    private Path inScratch(String relative) throws IOException {
        Path path = scratch.resolve(relative).normalize();
        if (!path.startsWith(scratch) || path.equals(scratch) || relative.startsWith("/")) {
            throw new CorruptArtefactException("the snapshot's index names a path outside the restore directory: " + relative);
        }
        return path;
    }

    /** Owners are restored only by root (another user cannot give files away). */
    static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private void setOwner(Path path, FileEntry entry) throws IOException {
        if (asRoot) {
            Files.setAttribute(path, "unix:uid", entry.uid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(path, "unix:gid", entry.gid(), LinkOption.NOFOLLOW_LINKS);
        }
    }

    private static void setTimes(Path path, FileEntry entry) {
        try {
            Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(FileTime.from(entry.mtime(), TimeUnit.NANOSECONDS), null, null);
        } catch (IOException | UnsupportedOperationException e) {
            // a symlink's own time where the platform cannot set it (elsewhere lutimes keeps microseconds): its target and name matter
        }
    }

    /** One blob of one file: file index, where in the file, the blob, the SHA-256 to match. */
    record Piece(int file, long fileOffset, FileEntry.Blob blob, String sha256) {
    }

    /** Receives one piece's bytes: exactly its blob's length, to be read before the next piece. */
    @FunctionalInterface
    interface PieceSink {
        void accept(Piece piece, InputStream bytes) throws IOException;
    }

    /**
     * Reads each pack that has pieces once, front to back, handing each piece its bytes; {@code toEnd}: every pack is
     * read to its end, so its SHA-256s are compared too (a full check), else reading stops after its last piece (every
     * byte read is still authenticated by the encryption, and each piece is compared with its own SHA-256).
     */
    static void readPieces(ArtefactReader reader, Store store, String job, Map<String, PackRecord> packs,
                           Map<String, List<Piece>> byPack, boolean toEnd, PieceSink sink) throws IOException {
        for (PackRecord pack : packs.values()) {
            List<Piece> pieces = byPack.getOrDefault(pack.id(), List.of());
            if (pieces.isEmpty() && !toEnd) {
                continue;
            }
            pieces.sort(Comparator.comparingLong(piece -> piece.blob().offset()));
            try (InputStream raw = reader.openRaw(store, pack.key(), pack.manifest(job), pack.artefact())) {
                long position = 0;
                byte[] skipped = new byte[1 << 16];
                for (Piece piece : pieces) {
                    // read, not skipped: every byte passes the stream's checks (authentication, SHA-256 at the end)
                    for (long gap = piece.blob().offset() - position; gap > 0; ) {
                        int n = raw.read(skipped, 0, (int) Math.min(skipped.length, gap));
                        if (n < 0) {
                            throw new java.io.EOFException();
                        }
                        gap -= n;
                    }
                    position = piece.blob().offset();
                    sink.accept(piece, new BoundedInput(raw, piece.blob().length()));
                    position += piece.blob().length();
                }
                if (toEnd) {
                    raw.transferTo(java.io.OutputStream.nullOutputStream());
                }
            } catch (java.io.EOFException e) {
                throw new DamagedPackException(pack.id(), "pack " + pack.id() + " in store '" + store.name() + "' is shorter "
                        + "than its index says", e);
            } catch (DamagedPackException e) {
                throw e;
            } catch (CorruptArtefactException e) { // authentication, checksum, or a piece that decodes to other content
                throw new DamagedPackException(pack.id(), e.getMessage(), e);
            }
        }
    }

    /** The next {@code length} bytes of a pack; fewer is an EOFException (the pack is shorter than its index says). */
    private static final class BoundedInput extends InputStream {
        private final InputStream in;
        private long left;

        BoundedInput(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (left == 0) {
                return -1;
            }
            int n = in.read(buffer, offset, (int) Math.min(length, left));
            if (n < 0) {
                throw new java.io.EOFException();
            }
            left -= n;
            return n;
        }

        @Override
        public void close() {
            // the pack stays open for the next piece
        }
    }
}
