package com.mking.backup.restore;

import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.postgresql.ds.PGSimpleDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The restore tests' queries, through camel-jdbc against the machine's PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CheckQueriesTest {

    private CamelContext context;
    private CheckQueries queries;
    private final PGSimpleDataSource database = new PGSimpleDataSource();

    @BeforeAll
    void start() {
        context = new DefaultCamelContext();
        context.start();
        queries = new CheckQueries(context);
        database.setServerNames(new String[]{"127.0.0.1"});
        database.setPortNumbers(new int[]{5432});
        database.setDatabaseName("postgres");
        database.setUser("postgres");
    }

    @AfterAll
    void stop() {
        context.stop();
    }

    @Test
    void everyQueryMustAnswerTrueOrANumberAboveZero() throws Exception {
        assertThat(queries.run("SELECT count(*) FROM pg_database; SELECT true;  ;SELECT '2.5'::numeric", database))
                .matches("SELECT count\\(\\*\\) FROM pg_database = \\d+; SELECT true = true; SELECT '2.5'::numeric = 2.5");
        assertThatThrownBy(() -> queries.run("SELECT 1; SELECT count(*) FROM pg_database WHERE false", database))
                .hasMessage("check failed: SELECT count(*) FROM pg_database WHERE false returned 0");
        assertThatThrownBy(() -> queries.run("SELECT * FROM users_missing", database))
                .hasMessageStartingWith("check failed: SELECT * FROM users_missing: ").hasMessageContaining("does not exist");
        assertThatThrownBy(() -> queries.run("SELECT NULL", database)).hasMessageContaining("returned null");
        assertThat(queries.run("SELECT datname IS NOT NULL AS present, 'second column' AS note FROM pg_database", database))
                .as("several rows and columns: the first row's first column").endsWith("= true");
    }

    @Test
    void nothingStaysBoundOnceTheQueriesRan() throws Exception {
        int endpoints = context.getEndpoints().size();
        queries.run("SELECT 1", database);
        assertThat(context.getEndpoints()).hasSize(endpoints);
        assertThat(context.getRegistry().findByType(javax.sql.DataSource.class)).isEmpty();
    }

    @Test
    void answersAreJudgedByValue() {
        assertThat(CheckQueries.passes(Boolean.TRUE)).isTrue();
        assertThat(CheckQueries.passes(Boolean.FALSE)).isFalse();
        assertThat(CheckQueries.passes(3L)).isTrue();
        assertThat(CheckQueries.passes(0)).isFalse();
        assertThat(CheckQueries.passes("t")).isTrue();
        assertThat(CheckQueries.passes("yes")).isFalse();
        assertThat(CheckQueries.passes(null)).isFalse();
    }
}
