package com.mking.backup.audit;

import com.mking.backup.support.CliResult;
import com.mking.backup.support.TestDatabases;
import com.mking.backup.support.TestInstallation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** The store alone is enough: with the catalog wiped, it is rebuilt from the manifests and restores work again. */
class CatalogRebuildTest {

    private TestInstallation installation;
    private String database;

    @BeforeEach
    void setUp() throws Exception {
        database = TestDatabases.uniqueName("rebuilt");
        TestDatabases.create(database);
        try (Connection connection = TestDatabases.connect(database); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE notes AS SELECT g AS id, md5(g::text) AS body FROM generate_series(1, 2000) g");
        }
        installation = new TestInstallation().withPgLogicalJob("notes", database, "local", "0 0 3 * * ?");
    }

    @AfterEach
    void tearDown() throws Exception {
        TestDatabases.dropAll(database);
        installation.close();
    }

    @Test
    void aLostCatalogIsRebuiltFromTheManifests() throws Exception {
        CliResult first = installation.cli("run", "notes");
        assertThat(installation.cli("run", "notes").exitCode()).isEqualTo(0);
        String backupId = first.backupId("notes");
        try (Connection audit = installation.audit(); Statement statement = audit.createStatement()) {
            statement.execute("DELETE FROM backup_verifications; DELETE FROM backup_copies; DELETE FROM restore_tasks; "
                    + "DELETE FROM backup_executions");
        }
        assertThat(installation.cli("list", "--json").out().trim()).isEqualTo("[ ]");

        CliResult rebuild = installation.cli("catalog-rebuild");
        assertThat(rebuild.exitCode()).as(rebuild.all()).isEqualTo(0);
        assertThat(rebuild.out()).contains("2 backups found in the stores, 2 added to the catalog with 2 copies");
        assertThat(installation.cli("catalog-rebuild").out()).contains("2 backups found in the stores, 0 added");
        assertThat(installation.cli("list").out()).contains(backupId).contains("success");

        CliResult restore = installation.cli("restore", backupId, "--database", database + "_back");
        assertThat(restore.exitCode()).as(restore.all()).isEqualTo(0);
        try (Connection connection = TestDatabases.connect(database + "_back"); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT count(*) FROM notes")) {
            row.next();
            assertThat(row.getInt(1)).isEqualTo(2000);
        }
    }
}
