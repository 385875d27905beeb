package com.mking.backup.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway PostgreSQL 15 cluster with its own settings (archive_mode, archive_command...) on a random
 * loopback port, run by the postgres OS user (initdb refuses root), removed on close.
 */
public final class TestCluster implements AutoCloseable {

    public static final String BIN = "/usr/lib/postgresql/15/bin";

    private final Path directory;
    private final int port;

    private TestCluster(Path directory, int port) {
        this.directory = directory;
        this.port = port;
    }

    public static TestCluster start(int port, Map<String, String> settings) throws IOException {
        Path directory = Files.createTempDirectory("mking-cluster");
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
        run("chown", "postgres:", directory.toString());
        asPostgres(BIN + "/initdb", "--pgdata=" + directory.resolve("data"), "--auth=trust", "--username=postgres",
                "--no-sync", "--no-instructions");
        List<String> conf = new ArrayList<>(List.of("port = " + port, "listen_addresses = '127.0.0.1'",
                "unix_socket_directories = '" + directory + "'", "fsync = off", "wal_level = replica", "max_wal_senders = 4"));
        settings.forEach((key, value) -> conf.add(key + " = '" + value.replace("'", "''") + "'"));
        Files.write(directory.resolve("data/postgresql.conf"), conf, java.nio.file.StandardOpenOption.APPEND);
        asPostgres(BIN + "/pg_ctl", "--pgdata=" + directory.resolve("data"), "--log=" + directory.resolve("server.log"),
                "--wait", "start");
        return new TestCluster(directory, port);
    }

    public int port() {
        return port;
    }

    public Path directory() {
        return directory;
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, "postgres", "");
    }

    public void execute(String sql) throws SQLException {
        try (Connection connection = connect("postgres"); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    public String queryOne(String sql) throws SQLException {
        try (Connection connection = connect("postgres"); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getString(1);
        }
    }

    /** Restarts the server (settings such as archive_mode take effect only then). */
    public void restart() throws IOException {
        asPostgres(BIN + "/pg_ctl", "--pgdata=" + directory.resolve("data"), "--log=" + directory.resolve("server.log"),
                "--wait", "restart");
    }

    /** Stops a server started from another data directory (a restored copy). */
    public static void stopServer(Path dataDirectory) {
        try {
            asPostgres(BIN + "/pg_ctl", "--pgdata=" + dataDirectory, "--mode=immediate", "stop");
        } catch (IOException ignored) {
            // not running
        }
    }

    @Override
    public void close() throws IOException {
        stopServer(directory.resolve("data"));
        run("rm", "-rf", directory.toString());
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public static void asPostgres(String... command) throws IOException {
        List<String> all = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        all.addAll(List.of(command));
        run(all.toArray(String[]::new));
    }

    /** Runs a command; output goes to a file, because a server it starts may keep a pipe open forever. */
    public static void run(String... command) throws IOException {
        Path output = Files.createTempFile("command", ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        try {
            boolean exited = process.waitFor(2, TimeUnit.MINUTES);
            String text = Files.readString(output);
            Files.deleteIfExists(output);
            if (!exited || process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + text);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
