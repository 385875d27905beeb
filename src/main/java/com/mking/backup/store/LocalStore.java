package com.mking.backup.store;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A directory on a local (or mounted) filesystem. Writes go through camel-file with a temporary name
 * and a rename, then are fsynced, so a crash leaves at most a {@code .partial-*} file that no reader
 * treats as an artefact.
 */
public final class LocalStore implements Store {

    static final String PARTIAL_PREFIX = ".partial-";
    private static final java.nio.file.attribute.FileAttribute<?> OWNER_ONLY_DIRECTORY = java.nio.file.attribute.PosixFilePermissions
            .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));

    private final String name;
    private final Path root;
    private final ProducerTemplate producer;

    public LocalStore(String name, Path root, ProducerTemplate producer) {
        this.name = name;
        this.root = root.toAbsolutePath().normalize();
        this.producer = producer;
    }

    @Override
    public java.util.Optional<Path> localDirectory() {
        return java.util.Optional.of(root);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long put(String key, InputStream data) throws IOException {
        Path target = resolve(key);
        // backups are the owner's alone (as restic and borg keep their repositories): an unencrypted dump must not be
        // readable by every local user; directories made here 700, files 600 (camel-file's chmod, before the rename)
        Files.createDirectories(target.getParent(), OWNER_ONLY_DIRECTORY);
        Path partial = target.resolveSibling(PARTIAL_PREFIX + target.getFileName());
        CountingInputStream counted = new CountingInputStream(data);
        try {
            producer.sendBodyAndHeader(
                    "file:" + target.getParent() + "?fileExist=Fail&chmod=600&tempPrefix=" + PARTIAL_PREFIX,
                    counted, Exchange.FILE_NAME, target.getFileName().toString());
        } catch (RuntimeException e) {
            Throwable cause = rootCause(e); // Camel's wrappers ("Exception occurred during execution...") say nothing more
            String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            boolean full = DiskSpace.full(message, target.getParent()); // before the partial file's space is freed
            Files.deleteIfExists(partial);
            throw new IOException("writing " + key + " to store '" + name + "' failed: " + message + (full ? diskFull() : ""),
                    cause);
        }
        fsync(target);
        fsync(target.getParent());
        return counted.count();
    }

    @Override
    public InputStream get(String key) throws IOException {
        Path path = resolve(key);
        try {
            return Files.newInputStream(path);
        } catch (NoSuchFileException e) {
            throw new FileNotFoundException(key + " not found in store '" + name + "'");
        }
    }

    @Override
    public Optional<Long> size(String key) throws IOException {
        Path path = resolve(key);
        return Files.isRegularFile(path) ? Optional.of(Files.size(path)) : Optional.empty();
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        Path base = prefix.isEmpty() ? root : resolve(prefix);
        Path dir = Files.isDirectory(base) ? base : base.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith(PARTIAL_PREFIX))
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .filter(k -> k.startsWith(prefix))
                    .forEach(keys::add);
        }
        return keys;
    }

    @Override
    public void delete(String key) throws IOException {
        Path path = resolve(key);
        Files.deleteIfExists(path);
        // remove directories left empty, up to the store root, so pruned days do not pile up
        Path dir = path.getParent();
        while (dir != null && !dir.equals(root) && isEmptyDirectory(dir)) {
            Files.deleteIfExists(dir);
            dir = dir.getParent();
        }
    }

    @Override
    public int removeIncomplete(String prefix, java.time.Instant startedBefore) throws IOException {
        Path base = prefix.isEmpty() ? root : resolve(prefix);
        Path dir = Files.isDirectory(base) ? base : base.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return 0;
        }
        List<Path> leftovers;
        try (Stream<Path> files = Files.walk(dir)) {
            leftovers = files.filter(p -> p.getFileName().toString().startsWith(PARTIAL_PREFIX))
                    .filter(p -> root.relativize(p).toString().replace('\\', '/').startsWith(prefix)).toList();
        }
        int removed = 0;
        for (Path leftover : leftovers) {
            if (Files.getLastModifiedTime(leftover).toInstant().isBefore(startedBefore)) {
                delete(root.relativize(leftover).toString().replace('\\', '/'));
                removed++;
            }
        }
        return removed;
    }

    @Override
    public String describe() {
        return "local:" + root;
    }

    private Path resolve(String key) {
        Path path = root.resolve(key).normalize();
        if (!path.startsWith(root) || key.startsWith("/")) {
            throw new IllegalArgumentException("store key escapes the store root: " + key);
        }
        return path;
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    private static void fsync(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static Throwable rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** For a full disk, what is free there and what to do, as the operator needs it at 3 a.m. */
    private String diskFull() {
        return DiskSpace.freeNow(root).map(free -> " (" + free + ": free space there, or set mking.store." + name
                + ".path to a disk that has it)").orElse("");
    }
}
