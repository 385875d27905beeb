package com.mking.backup.support;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A database shaped like a small production one: 100k users, 20 MiB of random bytea, a sequence that
 * has moved, and a view. {@link #fingerprint} summarises its content for before/after comparisons.
 */
public final class SampleDatabase {

    public static final int USERS = 100_000;
    public static final int BLOBS = 20;
    public static final int BLOB_SIZE = 1024 * 1024;

    private SampleDatabase() {
    }

    public static void create(String database) throws SQLException {
        TestDatabases.create(database);
        try (Connection connection = TestDatabases.connect(database); Statement statement = connection.createStatement()) {
            statement.execute("""
                    CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL, email text, score numeric(10,2),
                                        created_at timestamptz NOT NULL DEFAULT now());
                    INSERT INTO users (name, email, score, created_at)
                        SELECT 'user ' || g, 'user' || g || '@example.com', (g %% 1000) / 7.0,
                               timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute'
                        FROM generate_series(1, %d) g;
                    CREATE TABLE blobs (id int PRIMARY KEY, data bytea NOT NULL);
                    CREATE SEQUENCE invoice_number START 1000;
                    SELECT setval('invoice_number', 4242);
                    CREATE VIEW even_users AS SELECT id, name FROM users WHERE id %% 2 = 0;
                    """.formatted(USERS));
            SecureRandom random = new SecureRandom();
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO blobs VALUES (?, ?)")) {
                for (int i = 1; i <= BLOBS; i++) {
                    byte[] data = new byte[BLOB_SIZE];
                    random.nextBytes(data);
                    insert.setInt(1, i);
                    insert.setBytes(2, data);
                    insert.executeUpdate();
                }
            }
        }
    }

    /** Row count and md5 of the ordered content of each table, the sequence position and the view. */
    public static Map<String, String> fingerprint(String database) throws SQLException {
        Map<String, String> result = new LinkedHashMap<>();
        try (Connection connection = TestDatabases.connect(database); Statement statement = connection.createStatement()) {
            result.put("users", one(statement, "SELECT count(*) || ':' || md5(string_agg(u::text, '|' ORDER BY id)) FROM users u"));
            result.put("blobs", one(statement, "SELECT count(*) || ':' || md5(string_agg(id || '=' || md5(data), '|' ORDER BY id)) FROM blobs"));
            result.put("blob bytes", one(statement, "SELECT sum(length(data)) FROM blobs"));
            result.put("invoice_number", one(statement, "SELECT last_value || ':' || is_called FROM invoice_number"));
            result.put("even_users", one(statement, "SELECT count(*) || ':' || pg_get_viewdef('even_users') FROM even_users"));
        }
        return result;
    }

    private static String one(Statement statement, String sql) throws SQLException {
        try (ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getString(1);
        }
    }
}
