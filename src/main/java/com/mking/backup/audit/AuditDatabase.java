package com.mking.backup.audit;

import com.mking.backup.config.ConfigException;
import com.mking.backup.config.Settings;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;

/**
 * The PostgreSQL database holding the audit tables (and Quartz's job store). With {@code mking.audit.url}
 * set it is that server's database, created if missing; without it, an embedded PostgreSQL keeps its
 * data under {@code <data-dir>/audit-db} on a fixed loopback port, shared by the daemon and CLI commands.
 * Flyway brings the schema up to date on start; when the schema already is at {@link #SCHEMA_VERSION} Flyway is
 * not even loaded (a catalog command then starts ~0.3 s sooner).
 *
 * <p>The embedded server belongs to no single process: whichever process needs it first starts it, every
 * process using it holds a shared "user" lock on it for its lifetime, and the last one to leave (the one
 * that can take that lock exclusively) stops it. So a {@code run} started before the daemon, or a
 * daemon stopped while a {@code run} is busy, never takes the database away from the other; a process
 * killed outright releases its share with its connection.
 */
public final class AuditDatabase implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(AuditDatabase.class);
    /** The newest migration under db/migration (AuditDatabaseTest keeps the two in step). */
    static final int SCHEMA_VERSION = 8;
    /** The advisory lock every user of the embedded server holds shared; the last one takes it exclusively. */
    private static final long USERS_LOCK = 0x6d6b696e67L; // "mking"
    private static final Duration EMBEDDED_WAIT = Duration.ofSeconds(60);
    private static volatile String lastServer = "the audit database";
    /** Servers this JVM started (their lock on the data directory lives as long as the object). */
    private static final java.util.Map<Path, EmbeddedPostgres> STARTED = new java.util.concurrent.ConcurrentHashMap<>();

    private final HikariDataSource dataSource;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final String url;
    private final String user;
    private final String password;
    private final Path embeddedDirectory;
    private final Connection embeddedShare;

    private AuditDatabase(HikariDataSource dataSource, String url, String user, String password, Path embeddedDirectory,
                          Connection embeddedShare) {
        this.dataSource = dataSource;
        this.url = url;
        this.user = user;
        this.password = password;
        this.embeddedDirectory = embeddedDirectory;
        this.embeddedShare = embeddedShare;
    }

    /** The application name this process uses on every audit connection (it tells its connections apart). */
    public static String applicationName() {
        return "mking-backup:" + ProcessHandle.current().pid();
    }

    public static AuditDatabase open(Settings settings) {
        String user = settings.get("mking.audit.user", "postgres");
        String password = settings.get("mking.audit.password", "");
        String database = settings.get("mking.audit.database", "mking_backup");
        String serverUrl;
        String property;
        Path embeddedDirectory = null;
        Connection share = null;
        if (settings.optional("mking.audit.url").isPresent()) {
            serverUrl = settings.optional("mking.audit.url").get();
            property = "mking.audit.url";
            if (!serverUrl.matches("jdbc:postgresql://[^/?]+.*")) {
                throw new ConfigException(property, "'" + serverUrl + "' is not a PostgreSQL JDBC URL",
                        "use jdbc:postgresql://HOST:PORT (the database " + database + " is created if missing)");
            }
            serverUrl = serverUrl.replaceFirst("^(jdbc:postgresql://[^/?]+).*$", "$1");
        } else {
            int port = settings.integer("mking.audit.embedded-port", 54329);
            property = "mking.audit.embedded-port";
            embeddedDirectory = settings.dataDir().resolve("audit-db");
            serverUrl = "jdbc:postgresql://127.0.0.1:" + port;
            user = "postgres";
            password = "";
            share = joinEmbedded(embeddedDirectory, port, serverUrl);
        }
        lastServer = serverUrl.replace("jdbc:postgresql://", "");
        try {
            createDatabaseIfMissing(serverUrl, database, user, password, property);
            String url = serverUrl + "/" + database;
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(url);
            config.setUsername(user);
            config.setPassword(password);
            config.setPoolName("audit");
            config.addDataSourceProperty("ApplicationName", applicationName());
            int poolSize = settings.integer("mking.audit.pool-size", 8);
            config.setMaximumPoolSize(poolSize);
            // a command uses one or two connections: opening the daemon's eight costs it start-up time and the server forks
            config.setMinimumIdle(settings.bool("mking.scheduler.enabled", true) ? poolSize : 1);
            config.setConnectionTimeout(settings.integer("mking.audit.connection-timeout-ms", 5000));
            config.setInitializationFailTimeout(-1);
            HikariDataSource dataSource = new HikariDataSource(config);
            if (!isCurrent(dataSource)) {
                Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
            }
            return new AuditDatabase(dataSource, url, user, password, embeddedDirectory, share);
        } catch (RuntimeException e) {
            closeQuietly(share);
            throw e;
        }
    }

    public HikariDataSource dataSource() {
        return dataSource;
    }

    /** JDBC URL without credentials, for Quartz's own connection pool. */
    public String url() {
        return url;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** "audit database unreachable at HOST:PORT (cause)": the message for a lost audit connection. */
    public static String unreachable(Throwable cause) {
        return "audit database unreachable at " + lastServer + " (" + firstLine(cause) + ")";
    }

    /**
     * True when a failure is the audit database being out of reach: its pool ("audit") could not hand out a
     * connection. Other connection failures (a source or restore target server) are not.
     */
    public static boolean isUnreachable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AuditUnavailableException) {
                return true;
            }
            if (t instanceof java.sql.SQLTransientConnectionException && t.getMessage() != null
                    && t.getMessage().startsWith("audit - ")) {
                return true;
            }
        }
        return false;
    }

    /** Idempotent: a failed start closes it, and so may the context it was bound to. */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        dataSource.close();
        if (embeddedShare != null) {
            leaveEmbedded();
        }
    }

    /**
     * Connects to the embedded server (starting it when nobody has) and takes this process's share of it.
     * A server that is just shutting down is waited for, then started again.
     */
    private static Connection joinEmbedded(Path directory, int port, String serverUrl) {
        Instant deadline = Instant.now().plus(EMBEDDED_WAIT);
        SQLException last = null;
        while (Instant.now().isBefore(deadline)) {
            if (!listening(port)) {
                startEmbedded(directory, port);
            }
            try {
                Connection connection = DriverManager.getConnection(serverUrl + "/postgres", properties("postgres", ""));
                try (Statement statement = connection.createStatement()) {
                    requireOwnDirectory(statement, directory, port, connection);
                    statement.execute("SELECT pg_advisory_lock_shared(" + USERS_LOCK + ")");
                }
                LOG.info("using the embedded audit database on 127.0.0.1:{} ({})", port, directory);
                return connection;
            } catch (SQLException e) {
                last = e; // starting up, or shutting down after its last user left: try again
                sleep(500);
            }
        }
        throw new AuditUnavailableException("the embedded audit database on 127.0.0.1:" + port + " in " + directory
                + " does not accept connections (" + firstLine(last) + "); if another program uses port " + port
                + ", set mking.audit.embedded-port", last);
    }

    /** The server on the port must keep its data in this installation's directory, not another's. */
    private static void requireOwnDirectory(Statement statement, Path directory, int port, Connection connection)
            throws SQLException {
        String served;
        try (ResultSet row = statement.executeQuery("SHOW data_directory")) {
            row.next();
            served = row.getString(1);
        }
        Path own = directory.toAbsolutePath().normalize();
        try {
            own = directory.toRealPath();
        } catch (IOException e) {
            // not created yet: then it cannot be the one served
        }
        Path servedPath = Path.of(served).toAbsolutePath().normalize();
        try {
            servedPath = servedPath.toRealPath();
        } catch (IOException e) {
            // another host's path, or gone: compared as written
        }
        if (!servedPath.equals(own)) {
            closeQuietly(connection);
            throw new ConfigException("mking.audit.embedded-port", "port " + port + " serves the embedded audit database of "
                    + "another installation (" + served + "), not this one's (" + own + ")",
                    "give each installation its own port, e.g. mking.audit.embedded-port=" + (port + 1));
        }
    }

    /** Gives up this process's share; the last user stops the server (smart shutdown: nobody is connected). */
    private void leaveEmbedded() {
        try (embeddedShare; Statement statement = embeddedShare.createStatement()) {
            statement.execute("SELECT pg_advisory_unlock_shared(" + USERS_LOCK + ")");
            boolean last;
            try (ResultSet result = statement.executeQuery("SELECT pg_try_advisory_lock(" + USERS_LOCK + ")")) {
                last = result.next() && result.getBoolean(1);
            }
            if (!last) {
                LOG.info("the embedded audit database stays up: another mking-backup process uses it");
                return;
            }
            LOG.info("stopping the embedded audit database (no other process uses it)");
            EmbeddedPostgres mine = STARTED.remove(embeddedDirectory);
            if (mine != null) {
                mine.close(); // pg_ctl stop, and its lock on the data directory goes
                return;
            }
            long pid = Long.parseLong(Files.readAllLines(embeddedDirectory.resolve("postmaster.pid")).get(0).trim());
            // SIGTERM: PostgreSQL's smart shutdown, which lets any session that just connected finish
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        } catch (SQLException | IOException | RuntimeException e) {
            LOG.warn("could not hand back the embedded audit database cleanly: {}", e.getMessage());
        }
    }

    private static void startEmbedded(Path directory, int port) {
        LOG.info("no mking.audit.url set: starting the embedded audit PostgreSQL in {} on 127.0.0.1:{}", directory, port);
        try {
            Files.createDirectories(directory);
            EmbeddedPostgres earlier = STARTED.remove(directory);
            if (earlier != null) {
                earlier.close(); // its server was stopped by another process; this releases its lock on the directory
            }
            // no shutdown hook: the server outlives this process while other processes use it
            STARTED.put(directory, EmbeddedPostgres.builder().setDataDirectory(directory.toFile()).setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false).setPort(port).start());
        } catch (IOException | RuntimeException e) {
            if (listening(port)) {
                return; // another process started it meanwhile
            }
            throw new ConfigException("mking.audit.url", "the embedded PostgreSQL could not start in " + directory
                    + " (" + firstLine(e) + ")", "free port " + port + " (mking.audit.embedded-port) or point mking.audit.url at a server");
        }
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Properties properties(String user, String password) {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        if (!password.isEmpty()) {
            properties.setProperty("password", password);
        }
        properties.setProperty("connectTimeout", "10");
        properties.setProperty("ApplicationName", applicationName());
        return properties;
    }

    /** True when every migration up to {@link #SCHEMA_VERSION} was applied, none failed and none is newer. */
    static boolean isCurrent(javax.sql.DataSource dataSource) {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet history = statement.executeQuery("SELECT count(*) FILTER (WHERE NOT success), "
                     + "max(version::int) FILTER (WHERE success AND version ~ '^[0-9]+$'), count(*) FILTER (WHERE version !~ '^[0-9]+$' "
                     + "AND version IS NOT NULL) FROM flyway_schema_history WHERE type <> 'BASELINE'")) {
            return history.next() && history.getInt(1) == 0 && history.getInt(2) == SCHEMA_VERSION && history.getInt(3) == 0;
        } catch (SQLException e) {
            return false; // no history yet (a new database), or unreadable: Flyway decides
        }
    }

    private static void createDatabaseIfMissing(String serverUrl, String database, String user, String password,
                                                String property) {
        try (Connection connection = DriverManager.getConnection(serverUrl + "/postgres", properties(user, password));
             Statement statement = connection.createStatement()) {
            try (ResultSet exists = statement.executeQuery(
                    "SELECT 1 FROM pg_database WHERE datname = '" + database.replace("'", "''") + "'")) {
                if (exists.next()) {
                    return;
                }
            }
            LOG.info("creating audit database {}", database);
            statement.execute("CREATE DATABASE \"" + database.replace("\"", "\"\"") + "\"");
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
                throw new AuditUnavailableException(unreachable(e) + "; start that server, or fix " + property, e);
            }
            throw new ConfigException(property, "the audit database server at " + lastServer + " refused user " + user
                    + " (" + firstLine(e) + ")", "fix mking.audit.user / MKING_AUDIT_PASSWORD, or its pg_hba.conf");
        }
    }

    private static String firstLine(Throwable e) {
        if (e == null) {
            return "no answer";
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.lines().findFirst().orElse(message);
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing after a failure
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditUnavailableException("interrupted while waiting for the embedded audit database", e);
        }
    }
}
