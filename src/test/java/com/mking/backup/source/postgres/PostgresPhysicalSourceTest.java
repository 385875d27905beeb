package com.mking.backup.source.postgres;

import com.mking.backup.source.SourceContractTest;
import com.mking.backup.support.CliProcess;
import com.mking.backup.support.TestCluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * pg-physical through the source contract: a cluster archiving its WAL into the job through the daemon, a base backup
 * (pg_basebackup), recovered with {@code recover} into a new data directory (to the end of the archive) whose tables
 * equal the original's; a corrupted base backup stops the recovery before a server starts; a role without replication
 * fails pg_basebackup with its own words.
 */
class PostgresPhysicalSourceTest extends SourceContractTest {

    private int pgPort;
    private int recoveredPort;
    private TestCluster cluster;
    private CliProcess daemon;
    private final List<Path> targets = new ArrayList<>();

    @Override
    protected String kind() {
        return "pg-physical";
    }

    @Override
    protected void startSource() throws Exception {
        pgPort = TestCluster.freePort();
        int httpPort = TestCluster.freePort();
        installation.set("camel.management.port", Integer.toString(httpPort));
        declareJob(Map.of()); // the daemon that receives the WAL must know the job
        daemon = CliProcess.start(installation, List.of("-Xmx384m"), "start")
                .awaitOutput(out -> out.contains("daemon started"), Duration.ofSeconds(90));
        cluster = TestCluster.start(pgPort, Map.of("archive_mode", "on", "archive_command",
                "curl -fsS -H \"Expect:\" -T %p http://127.0.0.1:" + httpPort + "/wal/" + job() + "/%f"));
        cluster.execute("CREATE TABLE accounts AS SELECT g AS id, md5(g::text) AS email, repeat('x', g % 500) AS note "
                + "FROM generate_series(1, 20000) g");
        cluster.execute("CREATE ROLE no_replication LOGIN");
        String current = cluster.queryOne("SELECT pg_walfile_name(pg_current_wal_lsn())");
        cluster.execute("SELECT pg_switch_wal()");
        await().atMost(Duration.ofSeconds(60)).until(() ->
                cluster.queryOne("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver").compareTo(current) >= 0);
    }

    @Override
    protected void stopSource() throws Exception {
        targets.forEach(TestCluster::stopServer);
        if (daemon != null) {
            daemon.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        for (Path target : targets) {
            TestCluster.run("rm", "-rf", target.getParent().toString());
        }
    }

    @Override
    protected Map<String, String> jobParameters() {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("port", Integer.toString(pgPort));
        return parameters;
    }

    @Override
    protected List<String> expectedArtefacts() {
        return List.of("base\\.tar");
    }

    /** The server runs as postgres: the new data directory's parent must be open to it. */
    @Override
    protected Path freshTarget(String name) throws java.io.IOException {
        Path parent = Files.createTempDirectory("mking-" + name);
        Files.setPosixFilePermissions(parent, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path target = parent.resolve("data");
        targets.add(target);
        return target;
    }

    @Override
    protected List<String> restoreCommand(String backupId, String store, Path target) throws Exception {
        recoveredPort = TestCluster.freePort();
        return List.of("recover", job(), "--data-dir", target.toString(), "--backup-id", backupId, "--from", store,
                "--port", Integer.toString(recoveredPort));
    }

    @Override
    protected List<String> restoreArguments(Path target) {
        throw new UnsupportedOperationException("pg-physical restores with recover");
    }

    @Override
    protected String restoredSays(String backupId) {
        return "recovered job " + job();
    }

    @Override
    protected void assertRestoredEqualsOriginal(Path target) throws Exception {
        String query = "SELECT count(*) || ':' || md5(string_agg(id || email || note, ',' ORDER BY id)) FROM accounts";
        assertThat(queryOne(recoveredPort, query)).isEqualTo(queryOne(pgPort, query));
        assertThat(queryOne(recoveredPort, "SELECT pg_is_in_recovery()::text")).as("promoted").isEqualTo("false");
    }

    @Override
    protected void assertNothingRestored(Path target) {
        assertThat(target).as("no data directory is left of a recovery that failed").doesNotExist();
    }

    /** verify marked the copy failed, and recover never starts from a copy whose verification failed. */
    @Override
    protected void assertCorruptBackupRefused(com.mking.backup.support.CliResult restore) {
        assertThat(restore.exitCode()).as(restore.all()).isEqualTo(2);
        assertThat(restore.err()).contains("its copy in store 'local' failed verification");
    }

    @Override
    protected void breakSource() throws Exception {
        declareJob(Map.of("user", "no_replication"));
    }

    @Override
    protected void repairSource() throws Exception {
        declareJob(Map.of());
    }

    @Override
    protected String expectedFailure() {
        return "replication";
    }

    private static String queryOne(int port, String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                "postgres", ""); Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getString(1);
        }
    }
}
