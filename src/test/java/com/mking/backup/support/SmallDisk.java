package com.mking.backup.support;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A tmpfs of a few MiB mounted for one test, so a disk fills up; skipped where mounting is not allowed (needs root). */
public final class SmallDisk implements AutoCloseable {

    private final Path directory;

    private SmallDisk(Path directory) {
        this.directory = directory;
    }

    /** Mounts a tmpfs of {@code size} (e.g. "1m") on {@code directory}, made if missing. */
    public static SmallDisk mount(Path directory, String size) throws IOException, InterruptedException {
        Files.createDirectories(directory);
        boolean mounted;
        try {
            mounted = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", directory.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
        } catch (IOException e) {
            mounted = false; // no mount command
        }
        Assumptions.assumeTrue(mounted, "mounting a tmpfs needs root with CAP_SYS_ADMIN");
        return new SmallDisk(directory);
    }

    public Path directory() {
        return directory;
    }

    @Override
    public void close() throws IOException {
        TestCluster.run("umount", directory.toString());
    }
}
