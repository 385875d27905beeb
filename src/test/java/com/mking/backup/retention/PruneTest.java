package com.mking.backup.retention;

import com.mking.backup.support.CliResult;
import com.mking.backup.support.TestDatabases;
import com.mking.backup.support.TestInstallation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** prune --dry-run explains and deletes nothing; prune deletes exactly what no rule keeps, audited. */
class PruneTest {

    private TestInstallation installation;
    private String database;

    @BeforeEach
    void setUp() throws Exception {
        database = TestDatabases.uniqueName("pruned");
        TestDatabases.create(database);
        installation = new TestInstallation();
        Files.writeString(installation.routes().resolve("pruned.yaml"), """
                - templatedRoute:
                    routeTemplateRef: pg-logical
                    parameters:
                      - {name: job, value: pruned}
                      - {name: cron, value: "0 0 3 * * ?"}
                      - {name: database, value: %s}
                      - {name: keepLast, value: "2"}
                      - {name: keepDaily, value: "1"}
                      - {name: keepWeekly, value: "0"}
                      - {name: keepMonthly, value: "0"}
                      - {name: keepYearly, value: "0"}
                """.formatted(database));
    }

    @AfterEach
    void tearDown() throws Exception {
        TestDatabases.dropAll(database);
        installation.close();
    }

    @Test
    void dryRunExplainsThenPruneDeletesExactlyTheRest() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            CliResult run = installation.cli("run", "pruned");
            assertThat(run.exitCode()).as(run.all()).isEqualTo(0);
            ids.add(run.backupId("pruned"));
        }
        CliResult dryRun = installation.cli("prune", "--dry-run");
        assertThat(dryRun.exitCode()).as(dryRun.all()).isEqualTo(0);
        assertThat(dryRun.out()).contains("job pruned, store local: keep last 2, daily 1")
                .contains("keep   " + ids.get(3) + "  last 1, daily").contains("keep   " + ids.get(2) + "  last 2")
                .contains("would delete " + ids.get(1)).contains("would delete " + ids.get(0));
        assertThat(dataFiles()).hasSize(4);

        CliResult prune = installation.cli("prune");
        assertThat(prune.exitCode()).isEqualTo(0);
        assertThat(dataFiles()).hasSize(2);
        assertThat(String.join(" ", dataFiles())).contains(ids.get(3)).contains(ids.get(2));
        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet row = statement.executeQuery("SELECT count(*) FROM backup_copies WHERE status = 'deleted'")) {
            row.next();
            assertThat(row.getInt(1)).isEqualTo(2);
        }
        CliResult list = installation.cli("list", "--json");
        assertThat(list.out()).contains(ids.get(3));
        // a pruned backup is no success in the table, and a restore of it says why it cannot be
        String table = installation.cli("list").out();
        assertThat(table.lines().filter(line -> line.startsWith(ids.get(0)))).singleElement().asString().contains(" deleted ");
        assertThat(table.lines().filter(line -> line.startsWith(ids.get(3)))).singleElement().asString().contains(" success ");
        assertThat(installation.cli("list", "--status", "success").out()).doesNotContain(ids.get(0)).contains(ids.get(3));
        CliResult restore = installation.cli("restore", ids.get(0), "--database", "never_made");
        assertThat(restore.exitCode()).isEqualTo(2);
        assertThat(restore.err()).contains("it was deleted from every store (deleted by retention");
    }

    /** A job that is backing up is not pruned (its lock is held): it says so, exit 1; the other jobs are pruned anyway. */
    @Test
    void aJobThatIsBackingUpIsLeftForTheNextPruneAndTheOthersArePruned() throws Exception {
        Files.writeString(installation.routes().resolve("busy.yaml"), Files.readString(installation.routes().resolve("pruned.yaml"))
                .replace("value: pruned}", "value: busy}"));
        for (String job : List.of("pruned", "busy")) {
            for (int i = 0; i < 3; i++) {
                CliResult run = installation.cli("run", job);
                assertThat(run.exitCode()).as(run.all()).isEqualTo(0);
            }
        }
        org.postgresql.ds.PGSimpleDataSource audit = new org.postgresql.ds.PGSimpleDataSource();
        audit.setURL(com.mking.backup.support.TestDatabases.SERVER + "/" + installation.auditDatabase());
        audit.setUser("postgres");
        try (var held = new com.mking.backup.audit.AdvisoryLocks(audit).tryLock(
                com.mking.backup.audit.AdvisoryLocks.job("busy")).orElseThrow()) {
            CliResult prune = installation.cli("prune");
            assertThat(prune.exitCode()).as(prune.all()).isEqualTo(1);
            assertThat(prune.err()).contains("job busy not pruned: it is backing up right now");
            assertThat(prune.out()).contains("job pruned, store local").contains("delete ");
        }
        assertThat(dataFiles()).hasSize(2 + 3);
    }

    /** The shipped routes/retention.yaml, its cron made short: the daemon prunes by itself, audited like the CLI. */
    @Test
    void theDaemonPrunesOnItsSchedule() throws Exception {
        for (int i = 0; i < 3; i++) {
            CliResult run = installation.cli("run", "pruned");
            assertThat(run.exitCode()).as(run.all()).isEqualTo(0);
        }
        Files.copy(java.nio.file.Path.of("routes/retention.yaml"), installation.routes().resolve("retention.yaml"));
        installation.set("mking.retention.cron", "0/2 * * * * ?");
        try (var daemon = com.mking.backup.support.CliProcess.start(installation, List.of(), "start")) {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(dataFiles()).as(daemon.output()).hasSize(2));
        }
        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet row = statement.executeQuery("SELECT count(*) FROM backup_copies WHERE status = 'deleted'")) {
            row.next();
            assertThat(row.getInt(1)).isEqualTo(1);
        }
    }

    @Test
    void aBadRuleIsAConfigurationError() throws Exception {
        Files.writeString(installation.routes().resolve("pruned.yaml"), Files.readString(installation.routes().resolve("pruned.yaml"))
                .replace("{name: keepDaily, value: \"1\"}", "{name: keepDaily, value: \"many\"}"));
        CliResult result = installation.cli("prune", "--dry-run");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("parameter 'keepDaily'").contains("not a count");
    }

    private List<String> dataFiles() throws Exception {
        try (Stream<java.nio.file.Path> files = Files.walk(installation.localStore())) {
            return files.filter(p -> p.toString().endsWith(".zst")).map(java.nio.file.Path::toString).toList();
        }
    }
}
