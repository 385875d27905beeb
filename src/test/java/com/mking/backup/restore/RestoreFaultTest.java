package com.mking.backup.restore;

import com.mking.backup.pipeline.ChecksumMismatchException;
import com.mking.backup.pipeline.StoreReadException;
import com.mking.backup.source.RestoreTarget;
import com.mking.backup.source.UnmatchedRequestException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RestoreFaultTest {

    @Test
    void theCopyIsAtFaultOnlyWhenItCouldNotBeReadOrItsBytesAreWrong() {
        assertThat(RestoreFault.of(new IOException("restoring", new StoreReadException("reading x failed: timeout", null))))
                .isEqualTo(RestoreFault.COPY);
        assertThat(RestoreFault.of(new ChecksumMismatchException("the data", "ab12", "cd34"))).isEqualTo(RestoreFault.COPY);
        assertThat(RestoreFault.of(new IOException("pg_restore exited with 1: role \"app\" does not exist")))
                .isEqualTo(RestoreFault.OTHER);
        assertThat(RestoreFault.of(new UnmatchedRequestException("--include matches no path")))
                .isEqualTo(RestoreFault.OPERATOR_MISTAKE);
    }

    @Test
    void aFullDiskIsNamedEvenWhenTheDecoderSawItFirst() {
        // the writer's ENOSPC reaches the reading side as the cause of a broken pipe
        IOException full = new IOException("broken pipe", new IOException("No space left on device"));
        assertThat(RestoreFault.of(full)).isEqualTo(RestoreFault.DISK_FULL);
        assertThat(RestoreFault.of(new IOException("pg_restore: error: could not extend file \"base/1/2\": No space "
                + "left on device"))).isEqualTo(RestoreFault.DISK_FULL);
    }

    @Test
    void aFullDiskNamesEveryPlaceThatMayHaveFilledWithItsFreeSpace() {
        String tmp = System.getProperty("java.io.tmpdir");
        Path target = Path.of(tmp, "not", "made", "yet");
        assertThat(RestoreFault.DISK_FULL.advice(new RestoreTarget.FileTree(target, List.of(), false), null, 3L << 30))
                .hasValueSatisfying(advice -> assertThat(advice).matches("a disk filled up during the restore \\(or ran out of "
                        + "inodes\\): " + freeNow(tmp) + "; the backup is 3072 MiB before compression\\. Free space there or "
                        + "restore elsewhere \\(another copy of the backup would fail the same way\\)"));
        assertThat(RestoreFault.DISK_FULL.advice(new RestoreTarget.Database("shop", null, false, 2), Path.of(tmp), null))
                .hasValueSatisfying(advice -> assertThat(advice).containsPattern(": the database server's disk \\(the tool's "
                        + "message names the file\\); " + freeNow(tmp) + ", where the decoded copy went\\. Free space"));
        assertThat(RestoreFault.COPY.advice(new RestoreTarget.FileTree(target, List.of(), false), null, 1L)).isEmpty();
    }

    /** The free-space phrase as a pattern: the figure moves with whatever else writes to that disk. */
    private static String freeNow(String directory) {
        return "\\d+ MiB free now on the filesystem of " + java.util.regex.Pattern.quote(directory);
    }
}
