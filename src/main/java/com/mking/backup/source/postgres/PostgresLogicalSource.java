package com.mking.backup.source.postgres;

import com.mking.backup.source.RestoreRequest;
import com.mking.backup.source.RestoreTarget;
import com.mking.backup.source.Source;
import com.mking.backup.source.SourceFactory;
import com.mking.backup.source.ToolCommand;
import com.mking.backup.config.ConfigException;
import com.mking.backup.job.JobSpec;
import com.mking.backup.restore.CheckQueries;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.exec.RemoteShell;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL logical backup with {@code pg_dump} (custom format by default, or plain SQL), restored with
 * {@code pg_restore} or {@code psql}. The dump is uncompressed ({@code -Z0}) because the pipeline
 * compresses; compressing twice only costs time.
 *
 * <p>A restore goes into a scratch database first and is renamed into place only when it succeeded, so
 * a failed restore never leaves a half-filled target; a replaced database is renamed aside
 * ({@code <name>_before_restore_<timestamp>}), never dropped.
 */
public final class PostgresLogicalSource extends PostgresSource implements com.mking.backup.source.RestoreTestable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresLogicalSource.class);
    private static final String RESTORING_SUFFIX = "__mking_restoring";
    private static final DateTimeFormatter ASIDE_STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

    private final java.util.function.Supplier<CheckQueries> checkQueries;

    /**
     * @param defaultBinDir {@code mking.tools.postgresql-bin}; empty to find the tools automatically
     * @param checkQueries  runs the restore test's queries (made after the sources)
     */
    public PostgresLogicalSource(String defaultBinDir, java.util.function.Supplier<CheckQueries> checkQueries) {
        super(defaultBinDir);
        this.checkQueries = checkQueries;
    }

    /** A scratch database on the job's server, dropped before and after. */
    @Override
    public RestoreTarget scratch(JobSpec job, java.nio.file.Path workDirectory) throws IOException {
        RestoreTarget scratch = new RestoreTarget.Database(job.name().replaceAll("[^A-Za-z0-9_]", "_") + "_mking_restore_test",
                null, true, null);
        cleanUp(job, scratch);
        return scratch;
    }

    /** The job's testQueries against the restored database. */
    @Override
    public String check(JobSpec job, RestoreTarget scratch) throws Exception {
        return checkQueries.get().run(job.parameter("testQueries", "SELECT 1"),
                PostgresConnections.dataSource(job, scratch.describe(), null));
    }

    @Override
    public void cleanUp(JobSpec job, RestoreTarget scratch) {
        String name = scratch.describe();
        try (Connection connection = PostgresConnections.open(job, "postgres"); Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
            statement.execute("DROP DATABASE IF EXISTS \"" + name + RESTORING_SUFFIX + "\" WITH (FORCE)");
        } catch (SQLException e) {
            LOG.warn("could not drop the restore test's database {}: {}", name, e.getMessage());
        }
    }

    @Override
    public String kind() {
        return "pg-logical";
    }

    @Override
    public String method() {
        return "logical";
    }

    @Override
    public List<Parameter> parameters() {
        return java.util.stream.Stream.of(
                List.of(Parameter.text("database", null, "database to dump, e.g. mking_friend", "mking_friend")),
                connectionParameters("role used by pg_dump (least privilege: CONNECT and SELECT)", "backup_user",
                        "/run/secrets/pg_backup_password", "PG_BACKUP_PASSWORD"),
                List.of(Parameter.choice("format", List.of("custom", "plain"), "custom",
                        "custom (pg_restore, selective restore) or plain (SQL text)", "plain"),
                Parameter.file("binDir", "",
                        "directory of pg_dump/pg_restore; empty: mking.tools.postgresql-bin or auto", "/usr/lib/postgresql/15/bin"),
                        testQueries()))
                .flatMap(List::stream).toList();
    }

    @Override
    public void validate(JobSpec job) {
        validatePassword(job);
        if (job.parameter("database").isEmpty()) {
            throw new ConfigException(job.where("database"), "no database given", "name the database to dump");
        }
        String pgDump = tool(job, "pg_dump");
        if (!RemoteShell.isRemote(job) && !com.mking.backup.exec.Executables.isExecutable(pgDump)) {
            throw new ConfigException(job.where("binDir"), pgDump + " is not installed or not executable",
                    "install the PostgreSQL client (apt-get install postgresql-client) or set binDir / mking.tools.postgresql-bin");
        }
        PostgresConnections.password(job);
    }

    @Override
    public List<Output> outputs(JobSpec job) {
        return List.of(new Output(isPlain(job) ? "dump.sql" : "dump.pgdump", dumpCommand(job)));
    }

    private ToolCommand dumpCommand(JobSpec job) {
        List<String> args = new ArrayList<>(connectionArgs(job, job.parameter("database").orElseThrow()));
        args.add(isPlain(job) ? "--format=plain" : "--format=custom");
        if (!isPlain(job)) {
            args.add("--compress=0");
        }
        return new ToolCommand(tool(job, "pg_dump"), args, PostgresConnections.toolSecrets(job, !RemoteShell.isRemote(job)));
    }

    @Override
    public Description describe(JobSpec job) throws IOException {
        String database = job.parameter("database").orElseThrow();
        try (Connection connection = PostgresConnections.open(job, database);
             Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(
                     "SELECT current_setting('server_version'), pg_database_size(current_database())")) {
            result.next();
            return new Description(PostgresTools.version(tool(job, "pg_dump")), "PostgreSQL " + result.getString(1),
                    Map.of("database", database, "host", job.parameter("host", "127.0.0.1"),
                            "port", job.parameter("port", "5432"), "format", job.parameter("format", "custom"),
                            "databaseSizeBytes", Long.toString(result.getLong(2))));
        } catch (SQLException e) {
            throw new IOException("cannot connect to database '" + database + "' on " + job.parameter("host", "127.0.0.1")
                    + ":" + job.parameter("port", "5432") + " as " + job.parameter("user", "postgres") + ": " + e.getMessage(), e);
        }
    }

    /** A custom-format dump must list its table of contents; a plain dump has only its checksums. */
    @Override
    public java.util.Optional<ToolCommand> checkCommand(JobSpec job, Manifest manifest, Manifest.Artefact artefact) {
        if ("plain".equals(manifest.details().get("format"))) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new ToolCommand(PostgresTools.resolve("pg_restore", defaultBinDir()), List.of("--list")));
    }

    private static RestoreTarget.Database database(RestoreRequest request) {
        return request.target(RestoreTarget.Database.class, "a pg-logical backup restores into a database: --database NAME");
    }

    @Override
    public void checkRestoreTarget(JobSpec job, RestoreRequest request) throws IOException {
        String target = database(request).name();
        boolean occupied;
        List<String> sessions;
        try (Connection connection = PostgresConnections.open(job, "postgres"); Statement statement = connection.createStatement()) {
            occupied = !request.force() && exists(statement, target) && hasUserObjects(job, target);
            sessions = request.force() ? sessions(connection, target) : List.of();
        } catch (SQLException e) {
            throw new IOException("PostgreSQL server " + job.parameter("host", "127.0.0.1") + ":" + job.parameter("port", "5432")
                    + ": " + e.getMessage(), e);
        }
        if (!sessions.isEmpty()) {
            throw new IllegalArgumentException(sessionsInTheWay(job, target, sessions));
        }
        if (occupied) {
            throw new IllegalArgumentException("database '" + target + "' on " + job.parameter("host", "127.0.0.1") + ":"
                    + job.parameter("port", "5432") + " exists and is not empty; restore into a new name, or add --force to "
                    + "move it aside as " + target + "_before_restore_<timestamp> and replace it");
        }
    }

    @Override
    public void prepareRestoreTarget(JobSpec job, RestoreRequest request) throws IOException {
        String target = database(request).name();
        withServer(job, statement -> {
            if (exists(statement, target) && !request.force() && hasUserObjects(job, target)) {
                throw new IOException("database '" + target + "' exists and is not empty; restore into a new name,"
                        + " or add --force to move it aside as " + target + "_before_restore_<timestamp> and replace it");
            }
            statement.execute("DROP DATABASE IF EXISTS " + quote(target + RESTORING_SUFFIX));
            statement.execute("CREATE DATABASE " + quote(target + RESTORING_SUFFIX) + " TEMPLATE template0");
        });
    }

    @Override
    public ToolCommand restoreCommand(JobSpec job, Manifest manifest, Manifest.Artefact artefact, RestoreRequest request) {
        String scratch = database(request).name() + RESTORING_SUFFIX;
        List<String> args = new ArrayList<>(connectionArgs(job, scratch));
        boolean plain = "plain".equals(manifest.details().get("format"));
        if (plain) {
            args.addAll(List.of("--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction", "--file=-"));
            return new ToolCommand(tool(job, "psql"), args, PostgresConnections.toolSecrets(job, true));
        }
        args.addAll(List.of("--exit-on-error", "--single-transaction"));
        if (database(request).noOwner()) {
            args.addAll(List.of("--no-owner", "--no-privileges"));
        }
        return new ToolCommand(tool(job, "pg_restore"), args, PostgresConnections.toolSecrets(job, true));
    }

    /** Parallel restore needs the custom format in a file; it is not one transaction, which the scratch database makes safe. */
    @Override
    public java.util.Optional<ToolCommand> parallelRestoreCommand(JobSpec job, Manifest manifest, Manifest.Artefact artefact,
                                                                 RestoreRequest request,
                                                                 java.nio.file.Path file, int jobs) {
        if ("plain".equals(manifest.details().get("format"))) {
            return java.util.Optional.empty();
        }
        List<String> args = new ArrayList<>(connectionArgs(job, database(request).name() + RESTORING_SUFFIX));
        args.addAll(List.of("--exit-on-error", "--jobs=" + jobs));
        if (database(request).noOwner()) {
            args.addAll(List.of("--no-owner", "--no-privileges"));
        }
        args.add(file.toString());
        return java.util.Optional.of(new ToolCommand(tool(job, "pg_restore"), args, PostgresConnections.toolSecrets(job, true)));
    }

    @Override
    public Map<String, String> finishRestore(JobSpec job, Manifest manifest, RestoreRequest request, boolean succeeded)
            throws IOException {
        String target = database(request).name();
        String scratch = target + RESTORING_SUFFIX;
        Map<String, String> reached = new java.util.HashMap<>();
        withServer(job, statement -> {
            if (!succeeded) {
                statement.execute("DROP DATABASE IF EXISTS " + quote(scratch));
                return;
            }
            if (exists(statement, target)) {
                if (hasUserObjects(job, target)) {
                    String aside = target + "_before_restore_" + LocalDateTime.now().format(ASIDE_STAMP);
                    LOG.warn("moving existing database '{}' aside as '{}'", target, aside);
                    statement.execute("ALTER DATABASE " + quote(target) + " RENAME TO " + quote(aside));
                    reached.put("movedAside", aside);
                } else {
                    statement.execute("DROP DATABASE " + quote(target));
                }
            }
            statement.execute("ALTER DATABASE " + quote(scratch) + " RENAME TO " + quote(target));
        });
        return reached;
    }

    /** Who is connected to {@code database}: user@address and application, one entry per session. */
    private static List<String> sessions(Connection connection, String database) throws SQLException {
        List<String> sessions = new ArrayList<>();
        try (java.sql.PreparedStatement query = connection.prepareStatement("SELECT usename || '@' || COALESCE(host(client_addr), "
                + "'local socket') || COALESCE(' (' || NULLIF(application_name, '') || ')', '') FROM pg_stat_activity "
                + "WHERE datname = ? AND pid <> pg_backend_pid() ORDER BY backend_start")) {
            query.setString(1, database);
            try (java.sql.ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    sessions.add(rows.getString(1));
                }
            }
        }
        return sessions;
    }

    /** --force renames the old database aside, which PostgreSQL refuses while anyone is connected to it. */
    private static String sessionsInTheWay(JobSpec job, String database, List<String> sessions) {
        return "database '" + database + "' on " + job.parameter("host", "127.0.0.1") + ":" + job.parameter("port", "5432")
                + " has " + sessions.size() + " open session(s) (" + String.join(", ", sessions.subList(0, Math.min(5,
                sessions.size()))) + (sessions.size() > 5 ? ", ..." : "") + "): --force moves it aside by renaming it, which "
                + "PostgreSQL refuses while anyone is connected; stop the application using it, or end the sessions with "
                + "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database.replace("'", "''")
                + "', then restore again";
    }

    /** The dump's objects belong to roles the target server lacks (a DR host): create them there, or restore without owners. */
    @Override
    public java.util.Optional<String> restoreAdvice(JobSpec job, RestoreRequest request, String message) {
        java.util.regex.Matcher role = MISSING_ROLE.matcher(message);
        // not the connecting user's own role: that is a login failure, told as it is
        if (role.find() && !database(request).noOwner() && !role.group(1).equals(job.parameter("user", "postgres"))) {
            return java.util.Optional.of("the server lacks role \"" + role.group(1) + "\" that objects in the backup belong "
                    + "to: create it there first (CREATE ROLE), or restore with --no-owner (the restoring user then owns "
                    + "everything and the backup's grants are left out)");
        }
        if (message.contains("is being accessed by other users")) {
            return java.util.Optional.of("a session connected to '" + database(request).name() + "' while it restored, so "
                    + "it could not be moved aside; the restore was discarded and the database is as it was. Stop the "
                    + "application using it, or end its sessions, then restore again");
        }
        return java.util.Optional.empty();
    }

    private static final java.util.regex.Pattern MISSING_ROLE = java.util.regex.Pattern.compile("role \"([^\"]+)\" does not exist");

    private List<String> connectionArgs(JobSpec job, String database) {
        return List.of("--host=" + job.parameter("host", "127.0.0.1"), "--port=" + job.parameter("port", "5432"),
                "--username=" + job.parameter("user", "postgres"), "--dbname=" + database, "--no-password");
    }

    private static boolean isPlain(JobSpec job) {
        return "plain".equals(job.parameter("format", "custom"));
    }

    private interface ServerWork {
        void run(Statement statement) throws SQLException, IOException;
    }

    private static void withServer(JobSpec job, ServerWork work) throws IOException {
        try (Connection connection = PostgresConnections.open(job, "postgres");
             Statement statement = connection.createStatement()) {
            work.run(statement);
        } catch (SQLException e) {
            throw new IOException("PostgreSQL server " + job.parameter("host", "127.0.0.1") + ":" + job.parameter("port", "5432")
                    + ": " + e.getMessage(), e);
        }
    }

    private static boolean exists(Statement statement, String database) throws SQLException {
        try (ResultSet result = statement.executeQuery(
                "SELECT 1 FROM pg_database WHERE datname = " + literal(database))) {
            return result.next();
        }
    }

    /** Any table, view, sequence or function outside the system schemas counts as content. */
    private static boolean hasUserObjects(JobSpec job, String database) throws SQLException {
        try (Connection connection = PostgresConnections.open(job, database);
             Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("""
                     SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%')
                          + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema'))""")) {
            result.next();
            return result.getLong(1) > 0;
        }
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** pg-logical, with the tools of {@code mking.tools.postgresql-bin}. */
    public static final class Factory implements SourceFactory {
        @Override
        public Source create(Context context) {
            return new PostgresLogicalSource(context.settings().get("mking.tools.postgresql-bin", ""),
                    () -> context.lookup().find(CheckQueries.class));
        }
    }
}
