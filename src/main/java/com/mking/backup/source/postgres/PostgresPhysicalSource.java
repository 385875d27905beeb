package com.mking.backup.source.postgres;

import com.mking.backup.source.RestoreRequest;
import com.mking.backup.source.Source;
import com.mking.backup.source.SourceFactory;
import com.mking.backup.source.ToolCommand;
import com.mking.backup.config.ConfigException;
import com.mking.backup.job.JobSpec;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.source.postgres.wal.WalNames;
import com.mking.backup.exec.RemoteShell;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL physical base backup: {@code pg_basebackup} as one tar stream on stdout, with the WAL
 * needed for consistency fetched into it ({@code -X fetch}), so every base backup restores on its own.
 * Continuous WAL archiving into the same job's stores (see {@code WalArchive}) adds point-in-time
 * recovery on top.
 *
 * <p>A restore extracts into a new data directory; an existing non-empty one is moved aside to
 * {@code <dir>.corrupted.<timestamp>} only with --force (as the plan's runbook does), never deleted.
 */
public final class PostgresPhysicalSource extends PostgresSource implements com.mking.backup.source.ContinuousArchive,
        com.mking.backup.source.RetentionDefaults, com.mking.backup.source.RecoveryDrill {

    private static final Pattern START = Pattern.compile("write-ahead log start point: ([0-9A-F]+/[0-9A-F]+) on timeline (\\d+)");
    private static final Pattern END = Pattern.compile("write-ahead log end point: ([0-9A-F]+/[0-9A-F]+)");
    private static final DateTimeFormatter ASIDE_STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

    private final WalRetention retention;
    private final PostgresRecovery recovery;
    private final com.mking.backup.source.RecoveryDrill drill;

    public PostgresPhysicalSource(String defaultBinDir, WalRetention retention, PostgresRecovery recovery,
                                  com.mking.backup.source.RecoveryDrill drill) {
        super(defaultBinDir);
        this.retention = retention;
        this.recovery = recovery;
        this.drill = drill;
    }

    @Override
    public java.util.Optional<Gap> protectionGap(JobSpec job, boolean tokenRequired) throws Exception {
        return PostgresProbe.gap(job.name(), job.parameter("host", "127.0.0.1") + ":" + job.parameter("port", "5432"),
                job.parameter("user", "postgres"), PostgresProbe.archiving(job), tokenRequired);
    }

    /** A base backup alone is not a restore: recovery replays the archived WAL onto it (and checks where it ends). */
    @Override
    public void checkRestoreTarget(JobSpec job, RestoreRequest request) {
        throw new IllegalArgumentException("backup " + request.backupId() + " is a pg-physical base backup: restore it with "
                + "'mking-backup recover " + job.name() + " --data-dir DIR --backup-id " + request.backupId() + "'");
    }

    /** The restore test: the archive recovered to its end as a scratch cluster, then the job's testQueries. */
    @Override
    public String drill(JobSpec job, java.nio.file.Path workDirectory) throws Exception {
        return drill.drill(job, workDirectory);
    }

    /** Deletes base backups beyond the job's keepLast and the WAL no kept base backup needs. */
    public interface WalRetention {
        void apply(JobSpec job) throws IOException;
    }

    /** Seven base backups: the WAL archive is kept from the oldest one, so this bounds how far back PITR reaches. */
    public static final int DEFAULT_KEEP_LAST = 7;

    @Override
    public int keepLast() {
        return DEFAULT_KEEP_LAST;
    }

    @Override
    public String kind() {
        return "pg-physical";
    }

    @Override
    public String method() {
        return "full";
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> parameters = new java.util.ArrayList<>(connectionParameters(
                "role with the REPLICATION attribute (no superuser needed)", "replicator",
                "/run/secrets/pg_replication_password", "PG_REPLICATION_PASSWORD"));
        parameters.add(Parameter.file("binDir", "",
                "directory of pg_basebackup/pg_ctl; empty: mking.tools.postgresql-bin or auto", "/usr/lib/postgresql/15/bin"));
        parameters.add(testQueries());
        parameters.add(Parameter.text("testDatabase", "postgres", "database of the recovered cluster the restore test's "
                + "queries run in", "mking_friend"));
        return parameters;
    }

    @Override
    public void validate(JobSpec job) {
        validatePassword(job);
        if (!job.parameter("port", "5432").matches("\\d{1,5}")) {
            throw new ConfigException(job.where("port"), "not a port number", "use a number such as 5432");
        }
        if (!job.parameter("keepLast", "7").matches("[1-9]\\d*")) { // a physical job needs at least one base backup
            throw new ConfigException(job.where("keepLast"), "'" + job.parameter("keepLast", "") + "' is not a positive number",
                    "keep at least 1 base backup, e.g. 7");
        }
        String tool = tool(job, "pg_basebackup");
        if (!RemoteShell.isRemote(job) && !com.mking.backup.exec.Executables.isExecutable(tool)) {
            throw new ConfigException(job.where("binDir"), tool + " is not installed or not executable",
                    "install the PostgreSQL client or set binDir / mking.tools.postgresql-bin");
        }
        PostgresConnections.password(job);
    }

    @Override
    public List<Output> outputs(JobSpec job) {
        return List.of(new Output("base.tar", new ToolCommand(tool(job, "pg_basebackup"), List.of(
                "--host=" + job.parameter("host", "127.0.0.1"), "--port=" + job.parameter("port", "5432"),
                "--username=" + job.parameter("user", "postgres"), "--no-password",
                "--pgdata=-", "--format=tar", "--wal-method=fetch", "--checkpoint=fast", "--verbose",
                "--label=mking-backup " + job.name()), PostgresConnections.toolSecrets(job, !RemoteShell.isRemote(job)))));
    }

    @Override
    public Description describe(JobSpec job) throws IOException {
        try (Connection connection = PostgresConnections.open(job, "postgres");
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("""
                     SELECT current_setting('server_version'), (SELECT system_identifier FROM pg_control_system()),
                            (SELECT timeline_id FROM pg_control_checkpoint()),
                            pg_size_bytes(current_setting('wal_segment_size')), current_setting('archive_mode')""")) {
            row.next();
            Map<String, String> details = new LinkedHashMap<>();
            details.put("host", job.parameter("host", "127.0.0.1"));
            details.put("port", job.parameter("port", "5432"));
            details.put("systemIdentifier", row.getString(2));
            details.put("timeline", row.getString(3));
            details.put("walSegmentSize", row.getString(4));
            details.put("archiveMode", row.getString(5));
            return new Description(PostgresTools.version(tool(job, "pg_basebackup")), "PostgreSQL " + row.getString(1), details);
        } catch (SQLException e) {
            throw new IOException("cannot connect to PostgreSQL on " + job.parameter("host", "127.0.0.1") + ":"
                    + job.parameter("port", "5432") + " as " + job.parameter("user", "postgres") + ": " + e.getMessage(), e);
        }
    }

    /** pg_basebackup --verbose prints the WAL range the backup needs; it goes into the manifest. */
    @Override
    public Map<String, String> resultDetails(JobSpec job, String toolStderr) {
        Map<String, String> details = new LinkedHashMap<>();
        Matcher start = START.matcher(toolStderr);
        Matcher end = END.matcher(toolStderr);
        if (start.find()) {
            details.put("startLsn", start.group(1));
            details.put("startTimeline", start.group(2));
        }
        if (end.find()) {
            details.put("stopLsn", end.group(1));
        }
        return details;
    }

    /** The first WAL segment a base backup needs, from its manifest; empty for manifests without the range. */
    public static java.util.Optional<WalNames.Segment> startSegment(Manifest manifest) {
        Map<String, String> details = manifest.details();
        if (details.get("startLsn") == null || details.get("walSegmentSize") == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(WalNames.segmentOf(details.get("startLsn"),
                Long.parseLong(details.get("startTimeline")), Long.parseLong(details.get("walSegmentSize"))));
    }

    @Override
    public void afterBackup(JobSpec job) throws IOException {
        retention.apply(job);
    }

    /** The base backup must be a readable tar archive with a backup_label. */
    @Override
    public java.util.Optional<ToolCommand> checkCommand(JobSpec job, Manifest manifest, Manifest.Artefact artefact) {
        return java.util.Optional.of(new ToolCommand("tar", List.of("--list", "--file=-", "backup_label")));
    }

    @Override
    public void prepareRestoreTarget(JobSpec job, RestoreRequest request) throws IOException {
        Path directory = dataDirectory(request);
        if (Files.exists(directory) && !isEmptyDirectory(directory)) {
            if (!request.force()) {
                throw new IOException("data directory " + directory + " exists and is not empty; restore into a new "
                        + "directory, or add --force to move it aside as " + directory + ".corrupted.<timestamp>");
            }
            Path aside = directory.resolveSibling(directory.getFileName() + ".corrupted." + LocalDateTime.now().format(ASIDE_STAMP));
            Files.move(directory, aside);
        }
        Files.createDirectories(directory);
        Files.setPosixFilePermissions(directory, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }

    @Override
    public ToolCommand restoreCommand(JobSpec job, Manifest manifest, Manifest.Artefact artefact, RestoreRequest request) {
        return new ToolCommand("tar", List.of("--extract", "--file=-", "--directory=" + dataDirectory(request)));
    }

    @Override
    public Map<String, String> finishRestore(JobSpec job, Manifest manifest, RestoreRequest request, boolean succeeded)
            throws IOException {
        Path directory = dataDirectory(request);
        if (!succeeded) {
            recovery.stopQuietly(cluster(request));
            recovery.keepServerLog(directory);
            com.mking.backup.source.RestoreDirectory.deleteTree(directory);
            return Map.of();
        }
        return recovery.recover(job, cluster(request));
    }

    private static ClusterTarget cluster(RestoreRequest request) {
        return request.target(ClusterTarget.class, "a pg-physical base backup is recovered into a data directory: "
                + "mking-backup recover JOB --data-dir DIR");
    }

    private static Path dataDirectory(RestoreRequest request) {
        return cluster(request).directory();
    }

    static boolean isEmptyDirectory(Path directory) throws IOException {
        try (var entries = Files.list(directory)) {
            return entries.findAny().isEmpty();
        }
    }

    /**
     * pg-physical; its retention (BaseBackupRetention) and its drill's ClusterRecovery are made after the sources and
     * looked up when used.
     */
    public static final class Factory implements SourceFactory {
        @Override
        public Source create(Context context) {
            String bin = context.settings().get("mking.tools.postgresql-bin", "");
            PostgresRecovery servers = new PostgresRecovery(bin);
            return new PostgresPhysicalSource(bin,
                    job -> context.lookup().find(com.mking.backup.source.postgres.wal.BaseBackupRetention.class).apply(job),
                    servers, (job, workDirectory) -> new com.mking.backup.source.postgres.recovery.ClusterDrill(
                            context.lookup().find(com.mking.backup.source.postgres.recovery.ClusterRecovery.class), servers,
                            context.lookup().find(com.mking.backup.restore.CheckQueries.class))
                            .drill(job, workDirectory));
        }
    }
}
