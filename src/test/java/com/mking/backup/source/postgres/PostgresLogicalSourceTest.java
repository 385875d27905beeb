package com.mking.backup.source.postgres;

import com.mking.backup.source.SourceContractTest;
import com.mking.backup.support.SampleDatabase;
import com.mking.backup.support.TestDatabases;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * pg-logical through the source contract: the sample database (100,000 users, 20 MiB of bytea) restored into a new
 * database equals the original table by table; pg_dump failing (a role that may not read a table) fails the run.
 */
class PostgresLogicalSourceTest extends SourceContractTest {

    private String database;
    private Map<String, String> original;

    @Override
    protected String kind() {
        return "pg-logical";
    }

    @Override
    protected void startSource() throws Exception {
        database = TestDatabases.uniqueName("contract_pg");
        SampleDatabase.create(database);
        original = SampleDatabase.fingerprint(database);
        TestDatabases.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'contract_no_select') "
                + "THEN CREATE ROLE contract_no_select LOGIN; END IF; END $$");
    }

    @Override
    protected void stopSource() throws Exception {
        TestDatabases.dropAll(database);
    }

    @Override
    protected Map<String, String> jobParameters() {
        return Map.of("database", database);
    }

    @Override
    protected List<String> expectedArtefacts() {
        return List.of("dump\\.pgdump");
    }

    @Override
    protected List<String> restoreArguments(Path target) {
        return List.of("--database", targetDatabase(target));
    }

    @Override
    protected void assertRestoredEqualsOriginal(Path target) throws Exception {
        assertThat(SampleDatabase.fingerprint(targetDatabase(target))).isEqualTo(original);
    }

    @Override
    protected void assertNothingRestored(Path target) throws Exception {
        try (Connection connection = TestDatabases.connect("postgres"); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT count(*) FROM pg_database WHERE datname LIKE '"
                     + targetDatabase(target) + "%'")) {
            result.next();
            assertThat(result.getInt(1)).as("databases named after the target").isZero();
        }
    }

    /** A role that may connect but not read the tables: pg_dump itself fails. */
    @Override
    protected void breakSource() throws Exception {
        declareJob(Map.of("user", "contract_no_select"));
    }

    @Override
    protected void repairSource() throws Exception {
        declareJob(Map.of());
    }

    @Override
    protected String expectedFailure() {
        return "permission denied for table";
    }

    private String targetDatabase(Path target) {
        return database + "_" + target.getFileName().toString().replaceAll("[^a-z0-9]", "_");
    }
}
