package com.mking.backup.source.postgres;

import com.mking.backup.exec.RemoteShell;
import com.mking.backup.job.JobSpec;
import com.mking.backup.source.Probe;
import com.mking.backup.source.Source;

import java.util.List;
import java.util.Optional;

/**
 * What both PostgreSQL sources share: the connection parameters (host, port, role, password), the probe (can the job's
 * role connect) and where their client tools are.
 */
abstract class PostgresSource implements Source, Probe {

    private final String defaultBinDir;

    /** @param defaultBinDir {@code mking.tools.postgresql-bin}; empty to find the tools automatically */
    PostgresSource(String defaultBinDir) {
        this.defaultBinDir = defaultBinDir;
    }

    protected String defaultBinDir() {
        return defaultBinDir;
    }

    /** host, port, user, passwordFile, passwordEnv: the role's description and the examples differ per source. */
    protected static List<Parameter> connectionParameters(String userDescription, String userExample,
                                                          String passwordFileExample, String passwordEnvExample) {
        return List.of(
                Parameter.text("host", "127.0.0.1", "server host name or address", "db.internal"),
                Parameter.port("port", "5432", "server port", "5432"),
                Parameter.text("user", "postgres", userDescription, userExample),
                Parameter.file("passwordFile", "",
                        "file holding the role's password (a secret file); wins over passwordEnv", passwordFileExample),
                Parameter.text("passwordEnv", "",
                        "environment variable holding the role's password; empty: ~/.pgpass or trust", passwordEnvExample));
    }

    /** An unset passwordEnv or an unreadable passwordFile stops the start (exit 2), not the first backup at 3 a.m. */
    protected static void validatePassword(JobSpec job) {
        PostgresConnections.password(job);
    }

    /** The restore test's checks, run against what a restore test restored. */
    protected static Parameter testQueries() {
        return Parameter.text("testQueries", "SELECT 1",
                "restore test checks, ';'-separated, each must answer true or a number above 0",
                "SELECT count(*) > 0 FROM users");
    }

    /** host:port, and /database for a job that names one. */
    @Override
    public String location(JobSpec job) {
        return job.parameter("host", "127.0.0.1") + ":" + job.parameter("port", "5432")
                + job.parameter("database").map(database -> "/" + database).orElse("");
    }

    @Override
    public Optional<String> unreachable(JobSpec job) {
        return PostgresConnections.unreachable(job);
    }

    @Override
    public String subject(JobSpec job) {
        return "database server of job " + job.name();
    }

    /** A client tool: found here; on a remote host (ssh) the job's binDir or the remote PATH decides. */
    protected String tool(JobSpec job, String name) {
        if (RemoteShell.isRemote(job)) {
            return job.parameter("binDir").map(dir -> dir + "/" + name).orElse(name);
        }
        return PostgresTools.resolve(name, job.parameter("binDir", defaultBinDir));
    }
}
