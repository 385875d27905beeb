package com.mking.backup.audit;

import com.mking.backup.support.TestDatabases;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Flyway is skipped only when the schema is exactly at the newest migration this build carries. */
class AuditDatabaseTest {

    private String database;
    private HikariDataSource dataSource;

    @BeforeEach
    void setUp() throws Exception {
        database = TestDatabases.uniqueName("schema");
        TestDatabases.create(database);
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(TestDatabases.SERVER + "/" + database);
        dataSource.setUsername("postgres");
    }

    @AfterEach
    void tearDown() throws Exception {
        dataSource.close();
        TestDatabases.dropAll(database);
    }

    @Test
    void schemaVersionIsTheNewestMigration() throws Exception {
        try (Stream<Path> files = Files.list(Path.of(getClass().getResource("/db/migration").toURI()))) {
            int newest = files.map(f -> f.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))).max().orElseThrow();
            assertThat(AuditDatabase.SCHEMA_VERSION).as("AuditDatabase.SCHEMA_VERSION after adding a migration").isEqualTo(newest);
        }
    }

    @Test
    void currentOnlyWhenEveryMigrationSucceededAndNoneIsNewer() throws Exception {
        assertThat(AuditDatabase.isCurrent(dataSource)).as("a new database").isFalse();
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").target(Integer.toString(AuditDatabase.SCHEMA_VERSION - 1)).load().migrate();
        assertThat(AuditDatabase.isCurrent(dataSource)).as("one migration behind").isFalse();
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        assertThat(AuditDatabase.isCurrent(dataSource)).as("migrated").isTrue();

        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, "
                    + "installed_by, execution_time, success) VALUES (99, '" + (AuditDatabase.SCHEMA_VERSION + 1) + "', 'newer', 'SQL', 'V"
                    + (AuditDatabase.SCHEMA_VERSION + 1) + "__newer.sql', 'x', 0, false)");
            assertThat(AuditDatabase.isCurrent(dataSource)).as("a failed migration").isFalse();
            statement.execute("UPDATE flyway_schema_history SET success = true WHERE installed_rank = 99");
            assertThat(AuditDatabase.isCurrent(dataSource)).as("a newer version's schema: Flyway decides").isFalse();
        }
    }
}
