package com.mking.backup.job;

import com.mking.backup.pipeline.CorruptArtefactException;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

class BackupRunnerTest {

    /** What reaches people and audit rows: each cause once, without a library's dump of its internal state. */
    @Test
    void aFailureIsDescribedByItsCausesFirstLines() {
        IOException tink = new IOException("Tag mismatch!\nStreamingAeadDecryptingStream\nsegmentNr:17\nciphertextSegment: 00ff");
        CorruptArtefactException corrupt = new CorruptArtefactException("authentication of data in store 'minio' failed "
                + "(the data was altered): Tag mismatch!", tink);

        assertThat(BackupRunner.describe(new IOException("verifying backup 1 failed", corrupt)))
                .isEqualTo("verifying backup 1 failed <- authentication of data in store 'minio' failed (the data was "
                        + "altered): Tag mismatch!")
                .doesNotContain("segmentNr");
        assertThat(BackupRunner.describe(new IOException("pg_dump failed: error one\nerror two")))
                .as("a message of our own keeps its lines").contains("error two");
    }
}
