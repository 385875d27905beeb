package com.mking.backup.monitor;

import com.mking.backup.support.CliResult;
import com.mking.backup.support.TestDatabases;
import com.mking.backup.support.TestCluster;
import com.mking.backup.support.TestInstallation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** The monitoring pass against a real store and audit database: usage rows, thresholds, staleness, copies. */
class MonitorTest {

    private TestInstallation installation;
    private String database;

    @BeforeEach
    void setUp() throws Exception {
        database = TestDatabases.uniqueName("monitored");
        TestDatabases.create(database);
        try (Connection connection = TestDatabases.connect(database); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 5000) g");
        }
        installation = new TestInstallation();
        Files.writeString(installation.routes().resolve("monitored.yaml"), """
                - templatedRoute:
                    routeTemplateRef: pg-logical
                    parameters:
                      - {name: job, value: monitored}
                      - {name: cron, value: "0 0 3 * * ?"}
                      - {name: database, value: %s}
                      - {name: minCopies, value: "2"}
                """.formatted(database));
    }

    @AfterEach
    void tearDown() throws Exception {
        TestDatabases.dropAll(database);
        installation.close();
    }

    @Test
    void staleJobsFullStoresAndTooFewCopiesAlertAndClear() throws Exception {
        CliResult before = installation.cli("check");
        assertThat(before.exitCode()).isEqualTo(1);
        assertThat(before.out()).contains("OK       stale:monitored")
                .contains("job monitored has 0 restorable backups in store local");

        assertThat(installation.cli("run", "monitored").exitCode()).isEqualTo(0);
        long used = usedBytes();
        // a capacity just above what is stored puts the store between the thresholds
        installation.set("mking.store.local.capacity-bytes", Long.toString(used * 100 / 85));
        CliResult after = installation.cli("check");
        assertThat(after.exitCode()).isEqualTo(1);
        assertThat(after.out()).contains("OK       stale:monitored").contains("WARNING  store local is 85 % full")
                .contains("1 restorable backups in store local");

        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet row = statement.executeQuery("SELECT storage_path, used_space_bytes, usage_percentage, alert_sent "
                     + "FROM storage_monitoring ORDER BY id DESC LIMIT 1")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).isEqualTo("local");
            assertThat(row.getLong(2)).isEqualTo(used);
            assertThat(row.getDouble(3)).isBetween(84.0, 86.0);
            assertThat(row.getBoolean(4)).isTrue();
        }
        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet row = statement.executeQuery("SELECT string_agg(condition_key, ',' ORDER BY condition_key) FROM alert_conditions "
                     + "WHERE condition_key NOT LIKE 'system:%'")) {
            row.next();
            assertThat(row.getString(1)).isEqualTo("copies:monitored:local,storage:local");
        }
    }

    @Test
    void sourceDatabasesAndConfiguredServicesAreChecked() throws Exception {
        var web = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        int[] status = {200};
        web.createContext("/health", exchange -> {
            exchange.sendResponseHeaders(status[0], -1);
            exchange.close();
        });
        web.start();
        try {
            installation.set("mking.monitor.http-checks", "web=http://127.0.0.1:" + web.getAddress().getPort() + "/health");
            CliResult healthy = installation.cli("check");
            assertThat(healthy.out()).contains("OK       source:monitored").contains("OK       service:web");
            status[0] = 500;
            CliResult broken = installation.cli("check");
            assertThat(broken.exitCode()).isEqualTo(1);
            assertThat(broken.out()).contains("DANGER   service web is unreachable: HTTP 500");

            // a store nobody answers for (its server down): named as loudly as a source, not only logged
            installation.set("mking.stores", "local,gone").set("mking.store.gone.type", "minio")
                    .set("mking.store.gone.endpoint", "http://127.0.0.1:" + TestCluster.freePort())
                    .set("mking.store.gone.bucket", "nowhere").set("mking.store.gone.access-key", "a")
                    .set("mking.store.gone.secret-key", "b").set("mking.store.gone.attempts", "1");
            CliResult storeDown = installation.cli("check");
            assertThat(storeDown.exitCode()).isEqualTo(1);
            assertThat(storeDown.out()).contains("DANGER   store gone is unreachable");
        } finally {
            web.stop(0);
        }
    }

    private long usedBytes() throws Exception {
        try (var files = Files.walk(installation.localStore())) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
