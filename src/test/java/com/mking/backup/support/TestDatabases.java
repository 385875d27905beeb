package com.mking.backup.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/** Scratch databases on the machine's PostgreSQL (127.0.0.1:5432, trust auth, user postgres). */
public final class TestDatabases {

    public static final String SERVER = "jdbc:postgresql://127.0.0.1:5432";

    private TestDatabases() {
    }

    public static String uniqueName(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    public static Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(SERVER + "/" + database, "postgres", "");
    }

    public static void create(String database) throws SQLException {
        execute("CREATE DATABASE \"" + database + "\"");
    }

    /** Drops the database and every database whose name starts with it (restores, moved-aside copies). */
    public static void dropAll(String prefix) throws SQLException {
        try (Connection connection = connect("postgres"); Statement statement = connection.createStatement();
             var names = statement.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE '" + prefix + "%'")) {
            java.util.List<String> databases = new java.util.ArrayList<>();
            while (names.next()) {
                databases.add(names.getString(1));
            }
            for (String database : databases) {
                try (Statement drop = connection.createStatement()) {
                    drop.execute("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)");
                }
            }
        }
    }

    public static void execute(String sql) throws SQLException {
        try (Connection connection = connect("postgres"); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
