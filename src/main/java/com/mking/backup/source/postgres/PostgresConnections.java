package com.mking.backup.source.postgres;

import com.mking.backup.config.ConfigException;
import com.mking.backup.job.JobSpec;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * JDBC connections to a PostgreSQL source, with the same host, port, user and password the tools use.
 * The password comes from the environment variable the job names ({@code passwordEnv}).
 */
public final class PostgresConnections {

    /**
     * Whether the job's own database answers: a server that answers while the dumped database is gone is not
     * reachable. Both PostgreSQL sources' {@link com.mking.backup.source.Probe}.
     */
    public static java.util.Optional<String> unreachable(com.mking.backup.job.JobSpec job) {
        try (var connection = open(job, job.parameter("database", "postgres"))) {
            return connection.isValid(5) ? java.util.Optional.empty() : java.util.Optional.of("connection not valid");
        } catch (Exception e) {
            return java.util.Optional.of(String.valueOf(e.getMessage()));
        }
    }

    private PostgresConnections() {
    }

    /**
     * A data source for one database of the job's server (or, given a port, of a server started here on restored
     * files); the password is read now.
     */
    public static javax.sql.DataSource dataSource(JobSpec job, String database, Integer localPort) {
        org.postgresql.ds.PGSimpleDataSource dataSource = new org.postgresql.ds.PGSimpleDataSource();
        dataSource.setServerNames(new String[]{localPort == null ? job.parameter("host", "127.0.0.1") : "127.0.0.1"});
        dataSource.setPortNumbers(new int[]{localPort == null ? Integer.parseInt(job.parameter("port", "5432")) : localPort});
        dataSource.setDatabaseName(database);
        dataSource.setUser(job.parameter("user", "postgres"));
        password(job).ifPresent(dataSource::setPassword);
        dataSource.setConnectTimeout(10);
        dataSource.setApplicationName("mking-backup");
        return dataSource;
    }

    public static Connection open(JobSpec job, String database) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", job.parameter("user", "postgres"));
        password(job).ifPresent(password -> properties.setProperty("password", password));
        properties.setProperty("connectTimeout", "10");
        properties.setProperty("ApplicationName", "mking-backup");
        String url = "jdbc:postgresql://" + job.parameter("host", "127.0.0.1") + ":" + job.parameter("port", "5432")
                + "/" + database;
        return DriverManager.getConnection(url, properties);
    }

    /**
     * The role's password: from the file named by {@code passwordFile} (a Docker or systemd secret, read
     * at use), else from the environment variable named by {@code passwordEnv}; empty for trust/~/.pgpass.
     */
    public static java.util.Optional<String> password(JobSpec job) {
        java.util.Optional<String> file = job.parameter("passwordFile");
        if (file.isPresent()) {
            try {
                // the first line, as every tool's secret is read (ToolCommand.Secret)
                return java.util.Optional.of(java.nio.file.Files.readAllLines(java.nio.file.Path.of(file.get())).stream()
                        .findFirst().orElse("").strip());
            } catch (java.io.IOException e) {
                throw new ConfigException(job.where("passwordFile"), "cannot read " + file.get() + " (" + e.getMessage() + ")",
                        "make the file readable by the user running mking-backup");
            }
        }
        return job.parameter("passwordEnv").map(variable -> {
            String value = System.getenv(variable);
            if (value == null) {
                throw new ConfigException(job.where("passwordEnv"), "environment variable " + variable + " is not set",
                        "export " + variable + " before starting mking-backup, or remove passwordEnv to use ~/.pgpass");
            }
            return value;
        });
    }

    /**
     * The role's password as a tool takes it: {@code PGPASSWORD} in that tool's environment only, read from
     * {@code passwordFile} or {@code passwordEnv} as it starts (never on its command line, in a file of ours or in
     * the environment of other tools); none for trust or the OS user's ~/.pgpass, and none for a tool that does not run
     * here ({@code runsHere} false: a dump on the job's host over ssh, which authenticates there). Restores always run
     * here.
     */
    public static java.util.Map<String, com.mking.backup.source.ToolCommand.Secret> toolSecrets(JobSpec job, boolean runsHere) {
        if (!runsHere) {
            // a tool run over ssh authenticates on that host (its user's ~/.pgpass, trust): secrets cannot travel there
            return java.util.Map.of();
        }
        java.util.Optional<String> file = job.parameter("passwordFile");
        if (file.isPresent()) {
            return java.util.Map.of(PASSWORD_VARIABLE, com.mking.backup.source.ToolCommand.Secret.file(java.nio.file.Path.of(file.get())));
        }
        return job.parameter("passwordEnv").map(variable -> java.util.Map.of(PASSWORD_VARIABLE,
                com.mking.backup.source.ToolCommand.Secret.environment(variable))).orElse(java.util.Map.of());
    }

    private static final String PASSWORD_VARIABLE = "PGPASSWORD";
}
