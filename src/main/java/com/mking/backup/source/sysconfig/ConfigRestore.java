package com.mking.backup.source.sysconfig;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * Restores config.tar into the scratch directory (files, directories, symlinks with their modes, mtimes and, as root,
 * owners), then merges secrets.tar into it: each secret line goes back at its number, where the placeholder must be,
 * and each secret file is written whole.
 */
final class ConfigRestore {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigRestore.class);
    /** Owners can be given back only by root; anyone else gets the files as their own. */
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private final Path scratch;

    ConfigRestore(Path scratch) throws IOException {
        this.scratch = scratch.toRealPath();
    }

    void restoreConfig(InputStream raw) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(raw, StandardCharsets.UTF_8.name());
        // a directory's mode and mtime are set after its content was written into it, deepest first
        Deque<TarArchiveEntry> directories = new ArrayDeque<>();
        Deque<Path> directoryPaths = new ArrayDeque<>();
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            Path path = inside(entry.getName());
            if (entry.isDirectory()) {
                Files.createDirectories(path);
                directories.push(entry);
                directoryPaths.push(path);
            } else if (entry.isSymbolicLink()) {
                createParent(path);
                Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                apply(entry, path);
            } else if (entry.isFile()) {
                createParent(path);
                try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    tar.transferTo(out);
                }
                apply(entry, path);
            } else {
                LOG.warn("config.tar entry {} is of a kind a configuration restore skips (type {})", entry.getName(),
                        (char) entry.getLinkFlag());
            }
        }
        Iterator<Path> paths = directoryPaths.iterator();
        for (TarArchiveEntry directory : directories) {
            apply(directory, paths.next());
        }
    }

    void restoreSecrets(InputStream raw) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(raw, StandardCharsets.UTF_8.name());
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            String name = entry.getName();
            if (name.startsWith(ConfigArchive.LINES) && entry.isFile()) {
                String file = name.substring(ConfigArchive.LINES.length());
                mergeLines(inside(file), file, SecretLines.decode(tar.readAllBytes(), file));
            } else if (name.startsWith(ConfigArchive.FILES) && entry.isFile()) {
                Path path = inside(name.substring(ConfigArchive.FILES.length()));
                TarArchiveEntry secretFile = entry;
                createParent(path);
                keepingParentTime(path, () -> {
                    try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                        tar.transferTo(out);
                    }
                    apply(secretFile, path);
                });
            } else {
                throw new IOException("secrets.tar holds an unexpected entry " + name + " (not made by this version?)");
            }
        }
    }

    /**
     * Puts the secret lines back into {@code path} (config.tar's copy with placeholders): written to a sibling file,
     * which then takes the original's mode, owner and mtime and replaces it.
     */
    private void mergeLines(Path path, String file, List<SecretLines.SecretLine> secrets) throws IOException {
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("secrets.tar has lines for " + file + ", which config.tar does not hold");
        }
        Path merged = path.resolveSibling(path.getFileName() + ".mking-merging");
        keepingParentTime(path, () -> {
            Iterator<SecretLines.SecretLine> next = secrets.iterator();
            SecretLines.SecretLine[] pending = {next.hasNext() ? next.next() : null};
            long[] number = {0};
            try (InputStream in = new BufferedInputStream(Files.newInputStream(path));
                 OutputStream out = Files.newOutputStream(merged, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                forEachLine(in, (line, end) -> {
                    number[0]++;
                    String written = line;
                    if (pending[0] != null && pending[0].number() == number[0]) {
                        if (!line.equals(SecretLines.placeholderFor(pending[0].original()))) {
                            throw new IOException("line " + number[0] + " of " + file + " is not the placeholder its secret "
                                    + "line replaced: config.tar and secrets.tar do not belong together");
                        }
                        written = pending[0].original();
                        pending[0] = next.hasNext() ? next.next() : null;
                    }
                    out.write((written + end).getBytes(StandardCharsets.ISO_8859_1));
                });
            }
            if (pending[0] != null) {
                throw new IOException(file + " has " + number[0] + " lines, but secrets.tar has a secret line "
                        + pending[0].number() + " for it: config.tar and secrets.tar do not belong together");
            }
            Files.setAttribute(merged, "unix:mode", Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS));
            if (ROOT) {
                Files.setAttribute(merged, "unix:uid", Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS));
                Files.setAttribute(merged, "unix:gid", Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS));
            }
            Files.setLastModifiedTime(merged, Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS));
            Files.move(merged, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        });
    }

    @FunctionalInterface
    private interface LineConsumer {
        void accept(String line, String end) throws IOException;
    }

    /** Lines as ISO-8859-1 text (byte for byte) with their ends ({@code \n}, {@code \r\n}, or none at the end). */
    private static void forEachLine(InputStream in, LineConsumer consumer) throws IOException {
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                if (text.endsWith("\r")) {
                    consumer.accept(text.substring(0, text.length() - 1), "\r\n");
                } else {
                    consumer.accept(text, "\n");
                }
                line.reset();
            } else {
                line.write(b);
            }
        }
        if (line.size() > 0) {
            consumer.accept(line.toString(StandardCharsets.ISO_8859_1), "");
        }
    }

    @FunctionalInterface
    private interface Change {
        void run() throws IOException;
    }

    /** Adding or replacing a file changes its directory's mtime, which config.tar restored: it is set back. */
    private static void keepingParentTime(Path path, Change change) throws IOException {
        Path parent = path.getParent();
        FileTime before = Files.getLastModifiedTime(parent);
        change.run();
        Files.setLastModifiedTime(parent, before);
    }

    /** The entry's path under the scratch directory; a name leaving it, or reaching through a symlink, is refused. */
    private Path inside(String name) throws IOException {
        Path path = scratch.resolve(name).normalize();
        if (name.startsWith("/") || !path.startsWith(scratch) || path.equals(scratch)) {
            throw new IOException("archive entry '" + name + "' points outside the restore directory");
        }
        Path parent = path.getParent();
        while (!parent.equals(scratch)) {
            if (Files.isSymbolicLink(parent)) {
                throw new IOException("archive entry '" + name + "' lies behind the symlink " + scratch.relativize(parent));
            }
            parent = parent.getParent();
        }
        return path;
    }

    private static void createParent(Path path) throws IOException {
        Files.createDirectories(path.getParent());
    }

    /** Mode, owner (as root), mtime; for a symlink only the owner and, where the system allows, the mtime. */
    private static void apply(TarArchiveEntry entry, Path path) throws IOException {
        if (ROOT) {
            Files.setAttribute(path, "unix:uid", (int) entry.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(path, "unix:gid", (int) entry.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
        }
        FileTime modified = entry.getLastModifiedTime();
        if (entry.isSymbolicLink()) {
            try {
                Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(modified, null, null);
            } catch (IOException | UnsupportedOperationException e) {
                LOG.debug("the mtime of the symlink {} cannot be set here: {}", path, e.getMessage());
            }
            return;
        }
        // after chown, which clears setuid and setgid bits
        Files.setAttribute(path, "unix:mode", entry.getMode() & 07777, LinkOption.NOFOLLOW_LINKS);
        Files.setLastModifiedTime(path, modified);
    }
}
