package com.mking.backup.source;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RestoreRequestTest {

    /** A directory with --include given to a backup restored whole: the message names --include, not --target. */
    @Test
    void filesOnlyOptionsOnAnotherKindOfBackupAreNamed() {
        RestoreRequest request = new RestoreRequest("id", new RestoreTarget.FileTree(Path.of("/restore/here"),
                List.of("etc/**"), false), null, false, "me");
        assertThatThrownBy(() -> request.target(RestoreTarget.Directory.class, "restore of a configuration goes into a "
                + "directory: --target DIR")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--include and --delete apply to a files snapshot only; this backup is restored whole: leave "
                        + "them out");
        RestoreRequest plain = new RestoreRequest("id", RestoreTarget.Directory.of(Path.of("/restore/here")), null, false, "me");
        assertThat(plain.target(RestoreTarget.Directory.class, "unused").path()).isEqualTo(Path.of("/restore/here"));
    }
}
