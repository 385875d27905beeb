package com.mking.backup.restore;

import com.mking.backup.source.RestoreTarget;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The target header of {@code direct:restore-request}, as a route file sets it. */
class RestoreHeadersTest {

    @Test
    void anAbsolutePathIsADirectoryAUrlARemoteAndAnythingElseADatabase() {
        assertThat(Restorer.target("/srv/restore/redis", 6390)).isEqualTo(new RestoreTarget.Directory(Path.of("/srv/restore/redis"), 6390));
        assertThat(Restorer.target("https://git.dr.example/platform/{name}.git", null))
                .isEqualTo(new RestoreTarget.Remote("https://git.dr.example/platform/{name}.git"));
        assertThat(Restorer.target("git@git.dr.example:platform/{name}.git", null))
                .isEqualTo(new RestoreTarget.Remote("git@git.dr.example:platform/{name}.git"));
        assertThat(Restorer.target("shop_restored", null)).isInstanceOf(RestoreTarget.Database.class)
                .extracting(target -> ((RestoreTarget.Database) target).name()).isEqualTo("shop_restored");
    }

    @Test
    void aRelativeOrMissingTargetIsRefusedWithTheFix() {
        assertThatThrownBy(() -> Restorer.target("./restore", null)).hasMessageContaining("give an absolute path");
        assertThatThrownBy(() -> Restorer.target(" ", null)).hasMessageContaining("a remote URL");
    }

    @Test
    void aRemoteWithCredentialsInItsUrlIsRefusedWithoutShowingThem() {
        for (String url : java.util.List.of("https://user:t0ken@git.example/{name}.git", "https://t0ken@git.example/x.git",
                "ssh://git:t0ken@git.example/x.git")) {
            assertThatThrownBy(() -> new RestoreTarget.Remote(url)).hasMessageContaining("holds credentials")
                    .hasMessageContaining("tokenFile").hasMessageNotContaining("t0ken");
        }
        RestoreTarget.Remote ssh = new RestoreTarget.Remote("ssh://git@git.example/platform/{name}.git");
        assertThat(ssh.urlOf("web")).isEqualTo("ssh://git@git.example/platform/web.git");
        assertThat(new RestoreTarget.Remote("git@git.example:platform/{name}.git").urlOf("api"))
                .isEqualTo("git@git.example:platform/api.git");
    }
}
