package com.mking.backup.monitor;

import com.mking.backup.support.CliResult;
import com.mking.backup.support.TestCluster;
import com.mking.backup.support.TestInstallation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pg-physical job whose server does not archive WAL to it, or does not let its role replicate, is
 * reported as not protected, with the fix, before its first backup fails: check, status and the daily
 * report say the same.
 */
class ProtectionTest {

    private TestCluster cluster;
    private TestInstallation installation;

    @BeforeEach
    void setUp() throws Exception {
        cluster = TestCluster.start(TestCluster.freePort(), Map.of("archive_mode", "off"));
        installation = new TestInstallation().withPgPhysicalJob("pitr", cluster.port(), "local", "7");
    }

    @AfterEach
    void tearDown() throws Exception {
        cluster.close();
        installation.close();
    }

    @Test
    void aServerThatDoesNotArchiveHereOrDeniesReplicationIsNotProtected() throws Exception {
        CliResult check = installation.cli("check");
        assertThat(check.exitCode()).isEqualTo(1);
        assertThat(check.out()).contains("job pitr is not protected").contains("archive_mode is off")
                .contains("restart the server");
        assertThat(installation.cli("status").out()).contains("NOT PROTECTED: archive_mode is off");
        CliResult report = installation.cli("report");
        assertThat(report.exitCode()).isEqualTo(1);
        assertThat(report.out()).contains("FAIL pitr").contains("job pitr is not protected");

        cluster.execute("ALTER SYSTEM SET archive_mode = 'on'");
        cluster.execute("ALTER SYSTEM SET archive_command = 'curl -fsS -T %p http://backup:8080/wal/other-job/%f'");
        cluster.restart();
        assertThat(installation.cli("check").out()).contains("job pitr is not protected")
                .contains("does not send WAL to this job").contains("/wal/pitr/%f");

        cluster.execute("ALTER SYSTEM SET archive_command = 'curl -fsS -T %p http://backup:8080/wal/pitr/%f'");
        cluster.execute("SELECT pg_reload_conf()");
        cluster.execute("CREATE ROLE backup_user LOGIN"); // a least-privilege role, as the plan's backup_user
        Files.writeString(installation.routes().resolve("pitr.yaml"), Files.readString(installation.routes()
                .resolve("pitr.yaml")) + "      - {name: user, value: backup_user}\n");
        CliResult replication = installation.cli("check");
        assertThat(replication.out()).contains("job pitr is not protected").contains("no replication connection")
                .contains("ALTER ROLE backup_user REPLICATION");

        cluster.execute("ALTER ROLE backup_user REPLICATION");
        cluster.execute("GRANT pg_read_all_settings TO backup_user"); // so that archive_command can be checked
        CliResult fixed = installation.cli("check");
        assertThat(fixed.out()).contains("OK       protection:pitr");
        assertThat(installation.cli("status").out()).doesNotContain("NOT PROTECTED");

        // with a token required, an archive_command without it is refused on every push
        installation.set("mking.wal.token", "t0ken");
        assertThat(installation.cli("check").out()).contains("sends no X-Mking-Token header")
                .contains("-H \"X-Mking-Token: TOKEN\"");
    }
}
