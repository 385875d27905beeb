package com.mking.backup.source.files;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Walks a directory tree in index order ({@link FileEntry#compare}: each directory's names sorted, a directory just
 * before what is in it), reporting each entry as stat saw it (no content). Only one directory's names are held at a time
 * per level, so memory follows the tree's depth and its largest directory, not its number of files. Excluded names are
 * never visited; sockets, pipes and devices are skipped and counted; what cannot be read is reported, not skipped quietly.
 */
final class TreeScanner {

    /** Receives each entry in order; {@code file} is where to read it. */
    interface Visitor {
        void visit(FileEntry scanned, Path file) throws IOException;
    }

    /** One lstat's fields; "unix:*" would also look up owner and group names (a passwd lookup per file). */
    private static final String STAT_ATTRIBUTES =
            "unix:mode,ino,uid,gid,size,lastModifiedTime,ctime,isSymbolicLink,isDirectory,isRegularFile";

    /** What the JDK puts in a file name for bytes the locale's charset cannot decode. */
    private static final char UNDECODABLE = '\uFFFD';

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TreeScanner.class);
    private final Path root;
    private final List<PathMatcher> excludes = new ArrayList<>();
    private final List<String> unreadable = new ArrayList<>();
    private int unreadableCount;
    private final List<String> undecodable = new ArrayList<>();
    private int undecodableCount;
    private int skippedSpecial;

    /** @param excludes globs: on a name alone, or (when they hold a '/') on the path relative to the root */
    TreeScanner(Path root, List<String> excludes) {
        this.root = root;
        this.excludes.addAll(matchers(excludes));
    }

    static List<PathMatcher> matchers(List<String> globs) {
        return globs.stream().map(glob -> FileSystems.getDefault().getPathMatcher("glob:" + glob)).toList();
    }

    void scan(Visitor visitor) throws IOException {
        scanDirectory(root, "", visitor);
    }

    /** Paths that could not be listed or read (at most the first 20). */
    List<String> unreadable() {
        return unreadable;
    }

    int unreadableCount() {
        return unreadableCount;
    }

    /** Paths whose names are not valid in the locale's charset (UTF-8): Java sees them with U+FFFD and cannot name them. */
    List<String> undecodable() {
        return undecodable;
    }

    int undecodableCount() {
        return undecodableCount;
    }

    int skippedSpecial() {
        return skippedSpecial;
    }

    void reportUnreadable(String path) {
        unreadableCount++;
        if (unreadable.size() < 20) {
            unreadable.add(path);
        }
    }

    private void scanDirectory(Path directory, String relative, Visitor visitor) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(directory)) {
            for (Path child : children) {
                names.add(child.getFileName().toString());
            }
        } catch (java.nio.file.AccessDeniedException e) {
            reportUnreadable(relative.isEmpty() ? "." : relative);
            return;
        } catch (java.nio.file.NoSuchFileException | java.nio.file.NotDirectoryException e) {
            if (relative.isEmpty()) {
                throw e;
            }
            return; // removed (or replaced) since its parent was listed: its entry stands as seen, empty
        }
        names.sort(String::compareTo);
        for (String name : names) {
            String path = relative.isEmpty() ? name : relative + "/" + name;
            if (excluded(name, path)) {
                continue;
            }
            if (name.endsWith(com.mking.backup.source.RestoreDirectory.SCRATCH_SUFFIX)) {
                // a restore's work in progress, or one killed before it could remove it: never data to back up
                LOG.warn("{}: a restore's scratch directory (a running restore's, or one interrupted), not backed up; "
                        + "mking-backup check removes an interrupted one", path);
                continue;
            }
            Path file = directory.resolve(name);
            FileEntry entry;
            try {
                entry = stat(file, path);
            } catch (java.nio.file.NoSuchFileException e) {
                if (name.indexOf(UNDECODABLE) >= 0) {
                    // listed but not found by its decoded name: the name's bytes are not UTF-8 (a Latin-1 upload, say),
                    // and a path made of the decoded name would name another file; never skip it quietly
                    undecodableCount++;
                    if (undecodable.size() < 20) {
                        undecodable.add(path);
                    }
                }
                continue; // otherwise deleted since the directory was listed: it is not in the tree any more
            }
            if (entry == null) {
                if (skippedSpecial++ < 10) { // named, not only counted in the manifest: it will not be restored
                    LOG.warn("{}: not a file, directory or symlink (a FIFO, socket or device), not backed up", path);
                }
                continue;
            }
            visitor.visit(entry, file);
            if (entry.isDirectory()) {
                scanDirectory(file, path, visitor);
            }
        }
    }

    private boolean excluded(String name, String path) {
        return excluded(excludes, name, path);
    }

    /** Whether an entry is one the job leaves out: a glob matches its name, or its path relative to the root. */
    static boolean excluded(List<PathMatcher> excludes, String name, String path) {
        for (PathMatcher matcher : excludes) {
            if (matcher.matches(Path.of(name)) || matcher.matches(Path.of(path))) {
                return true;
            }
        }
        return false;
    }

    /** The entry as stat sees it now, or null for what is not a file, directory or symlink. */
    static FileEntry stat(Path file, String path) throws IOException {
        Map<String, Object> attributes = Files.readAttributes(file, STAT_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        String type;
        String link = null;
        if (Boolean.TRUE.equals(attributes.get("isSymbolicLink"))) {
            type = FileEntry.SYMLINK;
            link = Files.readSymbolicLink(file).toString();
        } else if (Boolean.TRUE.equals(attributes.get("isDirectory"))) {
            type = FileEntry.DIRECTORY;
        } else if (Boolean.TRUE.equals(attributes.get("isRegularFile"))) {
            type = FileEntry.FILE;
        } else {
            return null;
        }
        long size = type.equals(FileEntry.FILE) ? (Long) attributes.get("size") : 0;
        return new FileEntry(path, type, size, nanos(attributes.get("lastModifiedTime")), nanos(attributes.get("ctime")),
                (Long) attributes.get("ino"), (Integer) attributes.get("mode") & 07777, (Integer) attributes.get("uid"),
                (Integer) attributes.get("gid"), link, null, null, null);
    }

    private static long nanos(Object time) {
        return ((FileTime) time).to(TimeUnit.NANOSECONDS);
    }
}
