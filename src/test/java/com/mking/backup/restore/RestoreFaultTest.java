package com.mking.backup.restore;

import com.mking.backup.pipeline.ChecksumMismatchException;
import com.mking.backup.pipeline.StoreReadException;
import com.mking.backup.source.RestoreTarget;
import com.mking.backup.source.UnmatchedRequestException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

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
    void aFullTargetIsNamedEvenWhenTheDecoderSawItFirst() {
        // the writer's ENOSPC reaches the reading side as the cause of a broken pipe
        IOException full = new IOException("broken pipe", new IOException("No space left on device"));
        assertThat(RestoreFault.of(full)).isEqualTo(RestoreFault.TARGET_FULL);
        assertThat(RestoreFault.of(new IOException("pg_restore: error: could not extend file \"base/1/2\": No space "
                + "left on device"))).isEqualTo(RestoreFault.TARGET_FULL);

        Path target = Path.of(System.getProperty("java.io.tmpdir"), "not", "made", "yet");
        assertThat(RestoreFault.TARGET_FULL.advice(new RestoreTarget.FileTree(target, java.util.List.of(), false)))
                .hasValueSatisfying(advice -> assertThat(advice).startsWith("the restore target ran out of disk space (")
                        .contains(" MiB free on the filesystem of " + System.getProperty("java.io.tmpdir"))
                        .endsWith("(another copy of the backup would fail the same way)"));
        assertThat(RestoreFault.COPY.advice(new RestoreTarget.FileTree(target, java.util.List.of(), false))).isEmpty();
    }
}
