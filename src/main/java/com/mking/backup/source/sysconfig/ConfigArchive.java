package com.mking.backup.source.sysconfig;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes config.tar (every configured path with modes, owners, mtimes and symlinks; secret lines replaced by
 * placeholders, secret files left out) and then secrets.tar (those lines and files), from what the first walk found:
 * secrets.tar's line numbers are those of the placeholders config.tar holds, and a secret file that changed in between
 * fails the run rather than pair with the wrong configuration.
 */
final class ConfigArchive {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigArchive.class);
    static final String LINES = "lines/";
    static final String FILES = "files/";

    private final List<Path> roots;
    private final SecretLines secretLines;
    private final List<PathMatcher> secretFiles;
    /** Filled by {@link #writeConfig}: per entry name, the file's secret lines. */
    private final Map<String, List<SecretLines.SecretLine>> linesByEntry = new LinkedHashMap<>();
    /** Filled by {@link #writeConfig}: secret files, to be read by {@link #writeSecrets}. */
    private final List<SecretFile> files = new ArrayList<>();
    private boolean configWritten;

    private record SecretFile(Path path, String entryName, long size, FileTime modified) {
    }

    ConfigArchive(List<Path> roots, SecretLines secretLines, List<PathMatcher> secretFiles) {
        this.roots = roots;
        this.secretLines = secretLines;
        this.secretFiles = secretFiles;
    }

    /** A tar name: the absolute path without its leading '/', so a restore rebuilds it under the target. */
    static String entryName(Path path) {
        return path.toAbsolutePath().normalize().toString().replaceFirst("^/+", "");
    }

    static TarArchiveOutputStream tar(OutputStream out) {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out, java.nio.charset.StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        return tar;
    }

    void writeConfig(OutputStream out) throws IOException {
        TarArchiveOutputStream tar = tar(out);
        for (Path root : roots) {
            archive(root, tar);
        }
        tar.finish(); // not close(): the pipeline owns the stream
        tar.flush();
        configWritten = true;
    }

    void writeSecrets(OutputStream out) throws IOException {
        if (!configWritten) {
            throw new IOException("secrets.tar is written after config.tar, from what its walk found; config.tar was not written");
        }
        TarArchiveOutputStream tar = tar(out);
        for (Map.Entry<String, List<SecretLines.SecretLine>> lines : linesByEntry.entrySet()) {
            byte[] bytes = SecretLines.encode(lines.getValue());
            TarArchiveEntry entry = new TarArchiveEntry(LINES + lines.getKey());
            entry.setMode(0100600);
            entry.setSize(bytes.length);
            tar.putArchiveEntry(entry);
            tar.write(bytes);
            tar.closeArchiveEntry();
        }
        for (SecretFile file : files) {
            PosixFileAttributes attributes = Files.readAttributes(file.path(), PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attributes.size() != file.size() || !attributes.lastModifiedTime().equals(file.modified())) {
                throw new IOException(file.path() + " changed while the backup ran (it must match the configuration "
                        + "archived with it): run the backup again");
            }
            TarArchiveEntry entry = new TarArchiveEntry(FILES + file.entryName());
            describe(entry, file.path(), attributes);
            entry.setSize(file.size());
            tar.putArchiveEntry(entry);
            try (InputStream in = Files.newInputStream(file.path(), LinkOption.NOFOLLOW_LINKS)) {
                copyExactly(in, tar, file.size(), file.path());
            }
            tar.closeArchiveEntry();
        }
        tar.finish();
        tar.flush();
    }

    /** How many text files had secret lines and how many secret files were split out, for the log and manifest. */
    String summary() {
        return linesByEntry.values().stream().mapToInt(List::size).sum() + " secret lines in " + linesByEntry.size()
                + " files, " + files.size() + " secret files";
    }

    private void archive(Path path, TarArchiveOutputStream tar) throws IOException {
        PosixFileAttributes attributes = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String name = entryName(path);
        if (attributes.isSymbolicLink()) {
            TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
            describe(entry, path, attributes);
            entry.setLinkName(Files.readSymbolicLink(path).toString());
            tar.putArchiveEntry(entry);
            tar.closeArchiveEntry();
        } else if (attributes.isDirectory()) {
            TarArchiveEntry entry = new TarArchiveEntry(name + "/");
            describe(entry, path, attributes);
            tar.putArchiveEntry(entry);
            tar.closeArchiveEntry();
            List<Path> children;
            try (Stream<Path> list = Files.list(path)) {
                children = list.sorted().toList();
            }
            for (Path child : children) {
                archive(child, tar);
            }
        } else if (attributes.isRegularFile()) {
            if (isSecretFile(path)) {
                // left out of config.tar: secrets.tar holds it whole
                files.add(new SecretFile(path, name, attributes.size(), attributes.lastModifiedTime()));
                return;
            }
            archiveFile(path, name, attributes, tar);
        } else {
            LOG.warn("{} is neither a file, a directory nor a symlink (a socket, a pipe or a device): not backed up", path);
        }
    }

    /** A text file is read twice: once to learn its size with placeholders, once to write it. */
    private void archiveFile(Path path, String name, PosixFileAttributes attributes, TarArchiveOutputStream tar)
            throws IOException {
        SecretLines.Scan scan;
        try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
            scan = secretLines.scan(in, null);
        }
        TarArchiveEntry entry = new TarArchiveEntry(name);
        describe(entry, path, attributes);
        entry.setSize(scan.redactedSize());
        tar.putArchiveEntry(entry);
        try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
            if (!scan.text()) {
                copyExactly(in, tar, scan.size(), path);
            } else {
                SecretLines.Scan written = secretLines.scan(in, new CountingLimit(tar, scan.redactedSize(), path));
                if (!written.equals(scan)) {
                    throw new IOException(path + " changed while it was read: run the backup again");
                }
            }
        }
        tar.closeArchiveEntry();
        if (!scan.secrets().isEmpty()) {
            linesByEntry.put(name, scan.secrets());
        }
    }

    private boolean isSecretFile(Path path) {
        Path fileName = path.getFileName();
        return secretFiles.stream().anyMatch(glob -> glob.matches(fileName));
    }

    /** Mode (with setuid/setgid/sticky), owner and group by number and name, mtime. */
    private static void describe(TarArchiveEntry entry, Path path, PosixFileAttributes attributes) throws IOException {
        entry.setMode((Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS));
        entry.setUserId(((Number) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue());
        entry.setGroupId(((Number) Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS)).longValue());
        entry.setUserName(attributes.owner().getName());
        entry.setGroupName(attributes.group().getName());
        entry.setLastModifiedTime(attributes.lastModifiedTime());
    }

    /** Copies {@code size} bytes; a file that shrank meanwhile fails the run (a grown one is cut at the size recorded). */
    private static void copyExactly(InputStream in, OutputStream out, long size, Path path) throws IOException {
        byte[] buffer = new byte[64 << 10];
        long left = size;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new IOException(path + " shrank while it was read: run the backup again");
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    /** Refuses to write more than the size the tar header announced (the file grew between its two reads). */
    private static final class CountingLimit extends OutputStream {
        private final OutputStream out;
        private final Path path;
        private long left;

        CountingLimit(OutputStream out, long limit, Path path) {
            this.out = out;
            this.left = limit;
            this.path = path;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > left) {
                throw new IOException(path + " changed while it was read: run the backup again");
            }
            out.write(b, off, len);
            left -= len;
        }
    }
}
