package com.mking.backup.store;

import com.mking.backup.support.SmallDisk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DiskSpaceTest {

    /** strerror(ENOSPC) under LANG=de_DE.UTF-8: the JVM reports errors in the environment's language. */
    private static final String GERMAN = "Auf dem Gerät ist kein Speicherplatz mehr verfügbar";

    @Test
    void aFullDiskIsKnownInAnyLanguageByWhatIsLeftOnIt(@TempDir Path temp) throws Exception {
        try (SmallDisk disk = SmallDisk.mount(temp.resolve("small"), "1m")) {
            assertThat(DiskSpace.full(GERMAN, disk.directory())).as("an empty disk").isFalse();
            assertThatThrownBy(() -> {
                try (OutputStream out = Files.newOutputStream(disk.directory().resolve("filler"))) {
                    out.write(new byte[2 << 20]);
                }
            }).isInstanceOf(IOException.class);
            assertThat(DiskSpace.full(GERMAN, disk.directory())).isTrue();
            assertThat(DiskSpace.full("No space left on device", temp)).as("the C locale's text, anywhere").isTrue();
        }
        assertThat(DiskSpace.full("Permission denied", temp)).isFalse();
    }
}
