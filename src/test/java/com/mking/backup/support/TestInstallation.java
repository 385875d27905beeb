package com.mking.backup.support;

import com.mking.backup.cli.BackupRuntime;
import com.mking.backup.cli.MkingBackup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A throwaway installation: its own home directory, properties file, route files, local store and
 * audit database (a fresh database on the machine's PostgreSQL). Runs the real CLI in-process.
 */
public final class TestInstallation implements AutoCloseable {

    private final Path home;
    private final Path routes;
    private final Path config;
    private final String auditDatabase;
    private final Map<String, String> properties = new LinkedHashMap<>();

    public TestInstallation() throws IOException {
        home = Files.createTempDirectory("mking-home");
        routes = Files.createDirectories(home.resolve("routes"));
        config = home.resolve("test.properties");
        auditDatabase = TestDatabases.uniqueName("mking_audit");
        set("mking.audit.url", TestDatabases.SERVER);
        set("mking.audit.database", auditDatabase);
        set("mking.stores", "local");
        set("mking.store.local.type", "local");
        set("mking.store.local.path", home.resolve("store").toString());
        set("mking.pipeline.compression-level", "1");
    }

    public TestInstallation set(String key, String value) {
        properties.put(key, value);
        return this;
    }

    public TestInstallation withS3(TestS3 s3, String bucket) {
        return set("mking.store.minio.type", "minio")
                .set("mking.store.minio.endpoint", s3.endpoint())
                .set("mking.store.minio.bucket", bucket)
                .set("mking.store.minio.access-key", TestS3.ACCESS_KEY)
                .set("mking.store.minio.secret-key", TestS3.SECRET_KEY);
    }

    /** Writes a route file declaring one pg-logical job. */
    public TestInstallation withPgLogicalJob(String job, String database, String stores, String cron) throws IOException {
        Files.writeString(routes.resolve(job + ".yaml"), """
                - templatedRoute:
                    routeTemplateRef: pg-logical
                    parameters:
                      - name: job
                        value: %s
                      - name: cron
                        value: "%s"
                      - name: database
                        value: %s
                      - name: stores
                        value: %s
                """.formatted(job, cron, database, stores));
        return this;
    }

    /** Writes a route file declaring one pg-physical job on a throwaway cluster. */
    public TestInstallation withPgPhysicalJob(String job, int port, String stores, String keepLast) throws IOException {
        Files.writeString(routes.resolve(job + ".yaml"), """
                - templatedRoute:
                    routeTemplateRef: pg-physical
                    parameters:
                      - {name: job, value: %s}
                      - {name: cron, value: "0 0 2 * * ?"}
                      - {name: port, value: "%d"}
                      - {name: stores, value: "%s"}
                      - {name: keepLast, value: "%s"}
                """.formatted(job, port, stores, keepLast));
        return this;
    }

    /** Writes a route file declaring one job of any source kind, with these parameters (besides job and cron). */
    public TestInstallation withJob(String kind, String job, Map<String, String> parameters) throws IOException {
        StringBuilder yaml = new StringBuilder("""
                - templatedRoute:
                    routeTemplateRef: %s
                    parameters:
                      - {name: job, value: "%s"}
                      - {name: cron, value: "0 0 3 * * ?"}
                """.formatted(kind, job));
        parameters.forEach((name, value) -> yaml.append("      - {name: ").append(name).append(", value: \"")
                .append(value.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"}\n"));
        Files.writeString(routes.resolve(job + ".yaml"), yaml);
        return this;
    }

    public Path home() {
        return home;
    }

    public Path routes() {
        return routes;
    }

    public Path localStore() {
        return home.resolve("store");
    }

    public String auditDatabase() {
        return auditDatabase;
    }

    public Connection audit() throws SQLException {
        return DriverManager.getConnection(TestDatabases.SERVER + "/" + auditDatabase, "postgres", "");
    }

    /** Runs {@code mking-backup ARGS} with this installation's config and routes; captures the output. */
    public synchronized CliResult cli(String... args) throws IOException {
        writeConfig();
        List<String> all = new ArrayList<>(List.of("--config", config.toString(), "--routes", routes.toString()));
        all.addAll(List.of(args));
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String previousHome = System.getProperty("mking.home");
        System.setProperty("mking.home", home.toString());
        System.setOut(new PrintStream(new Tee(out, originalOut), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(err, originalErr), true, StandardCharsets.UTF_8));
        try {
            int code = MkingBackup.execute(all.toArray(String[]::new));
            return new CliResult(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
            if (previousHome == null) {
                System.clearProperty("mking.home");
            } else {
                System.setProperty("mking.home", previousHome);
            }
        }
    }

    /** Boots the runtime in-process, as {@code start} does when {@code daemon} is true. Close it after use. */
    public BackupRuntime runtime(boolean daemon) throws IOException {
        writeConfig();
        System.setProperty("mking.home", home.toString());
        return BackupRuntime.boot(List.of(config), daemon, Map.of("mking.routes-dir", routes.toString()));
    }

    /** The properties file this installation passes with --config. */
    public Path configFile() {
        return config;
    }

    /**
     * The production profile the README recommends: encryption on (a key made with keygen's code), stores
     * local + S3. End-to-end tests start from here.
     */
    public TestInstallation production(TestS3 s3, String bucket) throws IOException {
        com.mking.backup.pipeline.Keyring.generate(home.resolve("keys"), "prod-1");
        return withS3(s3, bucket).set("mking.stores", "local,minio")
                .set("mking.encryption.key-dir", home.resolve("keys").toString())
                .set("mking.encryption.key-id", "prod-1");
    }

    /**
     * A third store, {@code name}, on {@code server}: the seed's backup server over SFTP (its directory on this machine is
     * {@link #remoteStore}), the host key pinned, logging in with the server's test key.
     */
    public TestInstallation withSftp(TestSftpServer server, String name) throws Exception {
        Path knownHosts = home.resolve("sftp_known_hosts");
        server.pin(knownHosts);
        String prefix = "mking.store." + name + ".";
        return set(prefix + "type", "sftp").set(prefix + "host", "127.0.0.1").set(prefix + "port", Integer.toString(server.port()))
                .set(prefix + "user", "backup").set(prefix + "key-file", server.key().toString())
                .set(prefix + "known-hosts", knownHosts.toString()).set(prefix + "path", remoteStore().toString());
    }

    /** Where the SFTP store of {@link #withSftp} keeps its files (the test server serves this machine's filesystem). */
    public Path remoteStore() {
        return home.resolve("backup-server");
    }

    public void writeConfig() throws IOException {
        StringBuilder text = new StringBuilder();
        properties.forEach((key, value) -> text.append(key).append('=').append(value.replace("\\", "\\\\")).append('\n'));
        Files.writeString(config, text);
    }

    /** Drops the audit database and removes the home (stores, restored trees): a suite's leftovers must not fill the disk. */
    @Override
    public void close() throws Exception {
        try {
            TestDatabases.dropAll(auditDatabase);
        } finally {
            TestCluster.run("rm", "-rf", home.toString());
        }
    }

    /** Copies output to the test's buffer and to the console (so failures can be read in the log). */
    public static final class Tee extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        public Tee(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }
    }
}
