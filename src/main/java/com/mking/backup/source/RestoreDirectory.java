package com.mking.backup.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A restore into a directory (Redis files, git repositories): artefacts are written into a scratch directory beside
 * the target, which replaces the target only when every artefact was restored and checked. A non-empty target is
 * refused unless forced, and then moved aside ({@code <target>.before-restore-<timestamp>}), never deleted.
 */
public final class RestoreDirectory {

    private static final DateTimeFormatter ASIDE_STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

    private final Path target;
    private final boolean force;
    private final String what;
    private final String targetHelp;

    private RestoreDirectory(Path target, boolean force, String what, String targetHelp) {
        this.target = target;
        this.force = force;
        this.what = what;
        this.targetHelp = targetHelp;
    }

    /** @param what the kind of backup, for messages ("a Redis backup"); {@code targetHelp} what --target should name */
    public static RestoreDirectory of(RestoreRequest request, String what, String targetHelp) {
        RestoreTarget.Directory directory = request.target(RestoreTarget.Directory.class,
                "restore of " + what + " goes into a directory: --target DIR (" + targetHelp + ")");
        return new RestoreDirectory(directory.path(), request.force(), what, targetHelp);
    }

    public Path target() {
        return target;
    }

    /** Where artefacts are written until the restore is complete. */
    public Path scratch() {
        return scratchOf(target);
    }

    /** How every restore's scratch directory ends: a backup of the tree it lies in leaves it out. */
    public static final String SCRATCH_SUFFIX = ".mking-restoring";

    /** The scratch directory of a restore into {@code target} (the sweep of aborted restores removes it). */
    public static Path scratchOf(Path target) {
        return target.resolveSibling(target.getFileName() + SCRATCH_SUFFIX);
    }

    /**
     * The scratch directory of a restore merged into an existing {@code target}: inside it, so that moving the restored
     * files into place stays on one file system (a target that is a mount point).
     */
    public static Path scratchInside(Path target) {
        return target.resolve(SCRATCH_SUFFIX);
    }

    /** Operator mistakes, before anything is read: no target, or a non-empty one without --force. */
    public void check() throws IOException {
        if (target == null) {
            throw new IllegalArgumentException("restore of " + what + " needs --target DIR: " + targetHelp);
        }
        requireDirectoryPath(target);
        if (!force && !isEmpty(target)) {
            throw new IllegalArgumentException("--target " + target + " is not empty: choose an empty or new directory, or "
                    + "add --force to replace it (the old one is moved aside, not deleted)");
        }
    }

    /** The target is a directory, or can be made one: neither it nor the nearest existing directory above it is a file. */
    public static void requireDirectoryPath(Path target) {
        for (Path path = target; path != null; path = path.getParent()) {
            if (Files.exists(path)) {
                if (!Files.isDirectory(path)) {
                    throw new IllegalArgumentException("--target " + target + (path.equals(target) ? " is a file"
                            : ": " + path + " is a file") + ", not a directory: choose a directory (a new one is made)");
                }
                return;
            }
        }
    }

    /** Creates an empty scratch directory, readable by this user only (it holds decrypted data). */
    public void prepare() throws IOException {
        Files.createDirectories(target.getParent());
        deleteTree(scratch());
        Files.createDirectory(scratch(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    /** A command writing its stdin to the artefact's file in the scratch directory (subdirectories created). */
    public ToolCommand writeCommand(String artefactName) {
        return new ToolCommand("sh", List.of("-c", "mkdir -p \"$(dirname \"$1\")\" && cat > \"$1\"", "mking-restore",
                file(artefactName).toString()));
    }

    /** The artefact's file in the scratch directory; a name that would leave it is refused (a forged manifest). */
    public Path file(String artefactName) {
        Path file = scratch().resolve(artefactName).normalize();
        if (!file.startsWith(scratch()) || file.equals(scratch())) {
            throw new IllegalArgumentException("artefact name '" + artefactName + "' points outside the restore directory");
        }
        return file;
    }

    /**
     * Replaces the target with the scratch directory; what was there is moved aside (and moved back if the scratch
     * directory cannot take its place). Returns what to record.
     */
    public Map<String, String> putInPlace() throws IOException {
        Path aside = null;
        if (Files.exists(target)) {
            if (isEmpty(target)) {
                Files.delete(target);
            } else {
                aside = target.resolveSibling(target.getFileName() + ".before-restore-" + LocalDateTime.now().format(ASIDE_STAMP));
                Files.move(target, aside);
            }
        }
        try {
            Files.move(scratch(), target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (aside != null) {
                Files.move(aside, target);
            }
            throw new IOException("cannot put the restored files in place at " + target + " (" + e.getMessage() + ")"
                    + (aside != null ? "; the old directory is back in place" : ""), e);
        }
        return aside == null ? Map.of("directory", target.toString())
                : Map.of("directory", target.toString(), "movedAside", aside.toString());
    }

    /** Removes what a failed restore wrote; the target is untouched. */
    public void discard() throws IOException {
        deleteTree(scratch());
    }

    private static boolean isEmpty(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return true;
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.findAny().isEmpty();
        }
    }

    public static void deleteTree(Path directory) throws IOException {
        if (!Files.exists(directory, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(directory)) {
            for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
