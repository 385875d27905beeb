package com.mking.backup.source.files;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Puts a restored tree into a target that already holds files ({@code --force}): each restored entry takes its place;
 * what was there is moved into {@code aside} at the same relative path, never deleted. With {@code delete}, what the
 * target holds where the snapshot (or its selected part) has nothing is moved aside too, except what the job excludes
 * (as rsync's --delete leaves excluded files): the snapshot has nothing there because it never looked.
 */
final class TreeMerge {

    private final Path aside;
    private final boolean delete;
    private final List<PathMatcher> includes;
    /** The restored tree's own directory when it sits inside the target: never moved aside. */
    private final String scratchName;
    private final List<PathMatcher> excludes;
    private int movedAside;

    TreeMerge(Path aside, boolean delete, List<PathMatcher> includes, String scratchName, List<String> excludes) {
        this.aside = aside;
        this.delete = delete;
        this.includes = includes;
        this.scratchName = scratchName;
        this.excludes = TreeScanner.matchers(excludes);
    }

    int movedAside() {
        return movedAside;
    }

    /** Moves everything under {@code restored} into {@code target}; {@code restored} is empty afterwards. */
    void merge(Path restored, Path target) throws IOException {
        merge(restored, target, "");
    }

    private void merge(Path restored, Path target, String relative) throws IOException {
        Set<String> names = new LinkedHashSet<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(restored)) {
            children.forEach(child -> names.add(child.getFileName().toString()));
        }
        if (delete) {
            try (DirectoryStream<Path> existing = Files.newDirectoryStream(target)) {
                for (Path old : existing) {
                    String name = old.getFileName().toString();
                    String path = relative.isEmpty() ? name : relative + "/" + name;
                    boolean restoredTree = relative.isEmpty() && name.equals(scratchName);
                    if (!restoredTree && !names.contains(name) && SnapshotRestore.selected(path, includes)
                            && !TreeScanner.excluded(excludes, name, path)) {
                        moveAside(old, path);
                    }
                }
            }
        }
        for (String name : names) {
            String path = relative.isEmpty() ? name : relative + "/" + name;
            Path from = restored.resolve(name);
            Path to = target.resolve(name);
            boolean bothDirectories = Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)
                    && Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS);
            if (bothDirectories) {
                // read before the merge: moving its children out changes the restored directory's mtime
                Object mode = Files.getAttribute(from, "unix:mode");
                java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(from);
                merge(from, to, path);
                Files.setAttribute(to, "unix:mode", mode);
                Files.setLastModifiedTime(to, mtime);
                Files.delete(from);
                continue;
            }
            if (identicalFiles(from, to)) {
                Files.delete(to); // the same bytes: nothing to keep aside (a tree restored over itself costs no double space)
            } else if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
                moveAside(to, path);
            }
            Files.move(from, to);
        }
    }

    /**
     * Two regular files of the same size and content, or two symlinks to the same target: mode, owner and times come
     * from the restored one.
     */
    private static boolean identicalFiles(Path restored, Path existing) throws IOException {
        if (Files.isSymbolicLink(restored) && Files.isSymbolicLink(existing)) {
            return Files.readSymbolicLink(restored).equals(Files.readSymbolicLink(existing));
        }
        return Files.isRegularFile(restored, LinkOption.NOFOLLOW_LINKS) && Files.isRegularFile(existing, LinkOption.NOFOLLOW_LINKS)
                && Files.size(restored) == Files.size(existing) && Files.mismatch(restored, existing) == -1;
    }

    private void moveAside(Path old, String relative) throws IOException {
        Path place = aside.resolve(relative);
        Files.createDirectories(place.getParent());
        Files.move(old, place);
        movedAside++;
    }
}
