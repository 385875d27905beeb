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
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The PostgreSQL database holding the audit tables (and Quartz's job store). With {@code mking.audit.url}
 * set it is that server's database, created if missing; without it, an embedded PostgreSQL keeps its
 * data under {@code <data-dir>/audit-db} on a fixed loopback port, so the daemon and CLI commands share
 * it (the second process connects to the server the first one started). Flyway brings the schema up to
 * date on every start.
 */
public final class AuditDatabase implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(AuditDatabase.class);

    private final HikariDataSource dataSource;
    private final EmbeddedPostgres embedded;
    private final String url;
    private final String user;
    private final String password;

    private AuditDatabase(HikariDataSource dataSource, EmbeddedPostgres embedded, String url, String user, String password) {
        this.dataSource = dataSource;
        this.embedded = embedded;
        this.url = url;
        this.user = user;
        this.password = password;
    }

    public static AuditDatabase open(Settings settings) {
        String user = settings.get("mking.audit.user", "postgres");
        String password = settings.get("mking.audit.password", "");
        String database = settings.get("mking.audit.database", "mking_backup");
        EmbeddedPostgres embedded = null;
        String serverUrl;
        String property;
        if (settings.optional("mking.audit.url").isPresent()) {
            serverUrl = settings.optional("mking.audit.url").get();
            property = "mking.audit.url";
            if (!serverUrl.startsWith("jdbc:postgresql://")) {
                throw new ConfigException(property, "'" + serverUrl + "' is not a PostgreSQL JDBC URL",
                        "use jdbc:postgresql://HOST:PORT (the database " + database + " is created if missing)");
            }
            serverUrl = serverUrl.replaceFirst("^(jdbc:postgresql://[^/?]+).*$", "$1");
        } else {
            int port = settings.integer("mking.audit.embedded-port", 54329);
            property = "mking.audit.embedded-port";
            if (!listening(port)) {
                embedded = startEmbedded(settings.dataDir().resolve("audit-db"), port);
            } else {
                LOG.info("using the embedded audit database already running on 127.0.0.1:{}", port);
            }
            serverUrl = "jdbc:postgresql://127.0.0.1:" + port;
            user = "postgres";
            password = "";
        }
        createDatabaseIfMissing(serverUrl, database, user, password, property);
        String url = serverUrl + "/" + database;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setPoolName("audit");
        config.setMaximumPoolSize(settings.integer("mking.audit.pool-size", 8));
        config.setConnectionTimeout(settings.integer("mking.audit.connection-timeout-ms", 5000));
        config.setInitializationFailTimeout(-1);
        HikariDataSource dataSource = new HikariDataSource(config);
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        return new AuditDatabase(dataSource, embedded, url, user, password);
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

    @Override
    public void close() throws IOException {
        dataSource.close();
        if (embedded != null) {
            embedded.close();
        }
    }

    private static EmbeddedPostgres startEmbedded(Path directory, int port) {
        LOG.info("no mking.audit.url set: starting the embedded audit PostgreSQL in {} on 127.0.0.1:{}", directory, port);
        try {
            java.nio.file.Files.createDirectories(directory);
            return EmbeddedPostgres.builder().setDataDirectory(directory.toFile()).setCleanDataDirectory(false)
                    .setPort(port).start();
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("mking.audit.url", "the embedded PostgreSQL could not start in " + directory
                    + " (" + e.getMessage() + ")", "free port " + port + " (mking.audit.embedded-port) or point mking.audit.url at a server");
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

    private static void createDatabaseIfMissing(String serverUrl, String database, String user, String password,
                                                String property) {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        if (!password.isEmpty()) {
            properties.setProperty("password", password);
        }
        properties.setProperty("connectTimeout", "10");
        try (Connection connection = DriverManager.getConnection(serverUrl + "/postgres", properties);
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
            throw new ConfigException(property, "the audit database server at " + serverUrl + " is unreachable or refused "
                    + "user " + user + " (" + e.getMessage() + ")",
                    "start that server, or fix mking.audit.url / mking.audit.user / MKING_AUDIT_PASSWORD");
        }
    }
}
