package com.mking.backup.export;

import com.mking.backup.support.CliProcess;
import com.mking.backup.support.CliResult;
import com.mking.backup.support.TestCluster;
import com.mking.backup.support.TestDatabases;
import com.mking.backup.support.TestInstallation;
import com.mking.backup.support.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Offline export and import as an operator runs them, in the production profile (encryption on, stores local + S3): a
 * physical PostgreSQL backup with WAL archived by the daemon, rows written after it and a target time taken from
 * PostgreSQL's {@code now()}, and a Redis backup. The export is checked with {@code sha256sum -c}; an altered byte and a
 * missing file are named by {@code export --verify}; volumes split it. Then the audit database, the local store and the
 * bucket are wiped, a fresh installation (no route files, only the key file) imports the export, recovers PostgreSQL
 * to the target time and restores Redis from it alone, compared with what the sources held.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExportImportTest {

    private static final String PG_JOB = "pg-main";
    private static final String REDIS_JOB = "redis-main";
    private static final String FILES_JOB = "uploads";
    private static final String BUCKET = "export-src";

    private TestS3 s3;
    private TestInstallation installation;
    private TestInstallation fresh;
    private TestCluster cluster;
    private CliProcess daemon;
    private int redisPort;
    private Path redisDir;
    private final List<Integer> redisServers = new ArrayList<>();
    private final List<Path> recovered = new ArrayList<>();
    private final List<Path> temporary = new ArrayList<>();
    private String pgBackup;
    private String redisBackup;
    private String filesBackup;
    private Path uploads;
    private String targetTime;
    private Path export;
    private Path volumes;

    @BeforeAll
    void backUpAndArchive() throws Exception {
        s3 = new TestS3();
        int httpPort = TestCluster.freePort();
        int pgPort = TestCluster.freePort();
        redisPort = TestCluster.freePort();
        redisDir = temporary(Files.createTempDirectory("export-redis"));
        startRedis(redisPort, redisDir);
        redis(redisPort, "EVAL", """
                for i = 1, 500 do
                  local h = redis.sha1hex('user' .. i)
                  redis.call('SET', 'user:' .. i, 'name-' .. i .. ':' .. h .. redis.sha1hex(h) .. redis.sha1hex(h .. 'x')
                      .. redis.sha1hex(h .. 'y') .. redis.sha1hex(h .. 'z'))
                  redis.call('HSET', 'profile:' .. i, 'city', 'c' .. (i % 17), 'age', tostring(20 + i % 50))
                end
                redis.call('RPUSH', 'queue', 'a', 'b', 'c')
                redis.call('EXPIRE', 'user:7', 7200)
                return redis.call('DBSIZE')
                """, "0");
        uploads = temporary(Files.createTempDirectory("export-uploads"));
        for (int i = 0; i < 30; i++) {
            Files.writeString(Files.createDirectories(uploads.resolve("user" + (i % 5))).resolve("note-" + i + ".txt"),
                    "upload " + i + "\n".repeat(i));
        }
        byte[] photo = new byte[200_000];
        new java.util.Random(7).nextBytes(photo);
        Files.write(uploads.resolve("photo.jpg"), photo);
        installation = new TestInstallation().production(s3, BUCKET).set("camel.management.port", Integer.toString(httpPort));
        installation.withJob("files", FILES_JOB, new LinkedHashMap<>(Map.of("directory", uploads.toString(),
                "stores", "local,minio")));
        installation.withPgPhysicalJob(PG_JOB, pgPort, "local,minio", "7");
        installation.withJob("redis", REDIS_JOB, new LinkedHashMap<>(Map.of("port", Integer.toString(redisPort),
                "stores", "local,minio")));
        daemon = CliProcess.start(installation, List.of("-Xmx384m"), "start")
                .awaitOutput(out -> out.contains("daemon started"), Duration.ofSeconds(90));
        cluster = TestCluster.start(pgPort, Map.of("archive_mode", "on", "archive_command",
                "curl -fsS -H \"Expect:\" -T %p http://127.0.0.1:" + httpPort + "/wal/" + PG_JOB + "/%f"));
        cluster.execute("CREATE TABLE events (id int PRIMARY KEY, phase text, at timestamptz DEFAULT clock_timestamp())");
        cluster.execute("INSERT INTO events (id, phase) SELECT g, 't0' FROM generate_series(1, 50) g");
        pgBackup = run(PG_JOB);
        cluster.execute("INSERT INTO events (id, phase) SELECT g, 't1' FROM generate_series(51, 150) g");
        targetTime = cluster.queryOne("SELECT now()::text");
        Thread.sleep(1100);
        cluster.execute("INSERT INTO events (id, phase) SELECT g, 't2' FROM generate_series(151, 250) g");
        switchAndAwaitArchived();
        redisBackup = run(REDIS_JOB);
        filesBackup = run(FILES_JOB);
        export = temporary(Files.createTempDirectory("mking-export")).resolve("export");
        volumes = temporary(Files.createTempDirectory("mking-export-volumes")).resolve("dvd");
    }

    @AfterAll
    void cleanUp() throws Exception {
        recovered.forEach(TestCluster::stopServer);
        for (int port : redisServers) {
            try {
                redis(port, "SHUTDOWN", "NOSAVE");
            } catch (Exception e) {
                // gone
            }
        }
        if (daemon != null) {
            daemon.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        for (Path path : recovered) {
            TestCluster.run("rm", "-rf", path.getParent().toString());
        }
        for (Path path : temporary) {
            TestCluster.run("rm", "-rf", path.toString());
        }
        installation.close();
        if (fresh != null) {
            fresh.close();
        }
        s3.close();
    }

    @Test
    @Order(1)
    void theExportHoldsTheBackupsTheirWalACatalogARecoverySheetAndAListingSha256sumAccepts() throws Exception {
        CliResult result = installation.cli("export", "--to", export.toString());
        assertThat(result.exitCode()).as(result.all()).isEqualTo(0);
        assertThat(result.out()).contains("backup " + pgBackup + " of job " + PG_JOB).contains("backup " + redisBackup)
                .contains("WAL files of job " + PG_JOB).contains("shared objects of job " + FILES_JOB)
                .contains("exported 3 backup(s)").contains("prod-1.key");
        assertThat(export.resolve("catalog.json")).isRegularFile();
        assertThat(export.resolve("RECOVERY.txt")).isRegularFile();
        assertThat(export.resolve("export.sha256")).isRegularFile();

        // an independent tool checks every file
        String check = sha256sumCheck(export);
        assertThat(check).contains("catalog.json: OK").contains("RECOVERY.txt: OK").doesNotContain("FAILED");
        List<String> listed = Files.readAllLines(export.resolve("export.sha256"));
        assertThat(listed).allMatch(line -> line.matches("[0-9a-f]{64}  \\S+"));
        try (Stream<Path> files = Files.walk(export)) {
            assertThat(files.filter(Files::isRegularFile).count()).as("every file is listed").isEqualTo(listed.size() + 1);
        }

        // the same layout as a local store: the manifests at their keys
        ExportCatalog catalog = ExportCatalog.read(export.resolve("catalog.json"));
        assertThat(catalog.backups()).extracting(ExportCatalog.Backup::backupId)
                .containsExactlyInAnyOrder(pgBackup, redisBackup, filesBackup);
        assertThat(catalog.shared()).singleElement().satisfies(packs -> {
            assertThat(packs.job()).isEqualTo(FILES_JOB);
            assertThat(packs.files()).isNotEmpty().allSatisfy(pack -> assertThat(export.resolve(pack.key())).isRegularFile());
        });
        for (ExportCatalog.Backup backup : catalog.backups()) {
            assertThat(export.resolve(backup.manifestKey())).isRegularFile();
            assertThat(Files.readAllBytes(export.resolve(backup.manifestKey())))
                    .isEqualTo(Files.readAllBytes(installation.localStore().resolve(backup.manifestKey())));
            assertThat(backup.encryption().keyId()).isEqualTo("prod-1");
        }
        ExportCatalog.Backup base = catalog.backups().stream().filter(b -> b.backupId().equals(pgBackup)).findFirst().orElseThrow();
        assertThat(base.recovery().gap()).isNull();
        assertThat(base.recovery().recoverableUntil()).isNotNull();
        assertThat(catalog.wal()).singleElement().satisfies(wal -> {
            assertThat(wal.job()).isEqualTo(PG_JOB);
            assertThat(wal.first()).isLessThanOrEqualTo(base.recovery().walFrom());
            assertThat(wal.count()).isGreaterThanOrEqualTo(2);
        });
        String sheet = Files.readString(export.resolve("RECOVERY.txt"));
        assertThat(sheet).contains("mking-backup import DIR").contains("mking-backup recover " + PG_JOB)
                .contains("mking-backup restore " + redisBackup + " --target").contains("prod-1.key")
                .contains(installation.home().resolve("keys").toString()).contains("sha256sum -c export.sha256");

        // never a secret: not the key, not the store's credentials
        String key = Files.readString(installation.home().resolve("keys/prod-1.key")).strip();
        for (Path text : List.of(export.resolve("catalog.json"), export.resolve("RECOVERY.txt"), export.resolve("export.sha256"))) {
            assertThat(Files.readString(text)).doesNotContain(key).doesNotContain(TestS3.SECRET_KEY).doesNotContain(TestS3.ACCESS_KEY);
        }
        assertThat(result.all()).doesNotContain(key).doesNotContain(TestS3.SECRET_KEY);

        CliResult verify = installation.cli("export", "--verify", export.toString());
        assertThat(verify.exitCode()).as(verify.all()).isEqualTo(0);
        assertThat(verify.out()).contains("OK").contains(listed.size() + " files");

        CliResult again = installation.cli("export", "--to", export.toString());
        assertThat(again.exitCode()).as("an export never mixes with another").isEqualTo(2);
        assertThat(again.err()).contains("--to").contains("not empty");
    }

    @Test
    @Order(2)
    void verifyNamesAFileAlteredByOneByteAndAMissingFile() throws Exception {
        Path damaged = temporary(Files.createTempDirectory("mking-export-damaged")).resolve("export");
        TestCluster.run("cp", "-a", export.toString(), damaged.toString());
        ExportCatalog catalog = ExportCatalog.read(damaged.resolve("catalog.json"));
        ExportCatalog.FileRef data = catalog.backups().stream().filter(b -> b.backupId().equals(redisBackup)).findFirst()
                .orElseThrow().files().get(0);
        try (RandomAccessFile file = new RandomAccessFile(damaged.resolve(data.key()).toFile(), "rw")) {
            file.seek(file.length() / 2);
            byte b = file.readByte();
            file.seek(file.length() / 2);
            file.writeByte(b ^ 0x01);
        }
        ExportCatalog.FileRef wal = catalog.wal().get(0).files().stream().filter(f -> !f.key().endsWith(".json")).findFirst()
                .orElseThrow();
        Files.delete(damaged.resolve(wal.key()));

        CliResult verify = installation.cli("export", "--verify", damaged.toString());
        assertThat(verify.exitCode()).as(verify.all()).isEqualTo(1);
        assertThat(verify.out()).contains("BAD " + data.key() + ": SHA-256").contains("MISSING " + wal.key());
        assertThat(verify.err()).contains("2 problem(s)");
        assertThat(sha256sumCheck(damaged)).contains(data.key() + ": FAILED");

        CliResult importing = installation.cli("import", damaged.toString());
        assertThat(importing.exitCode()).as("nothing is imported from a damaged export").isEqualTo(1);
        assertThat(importing.err()).contains("damaged").contains("nothing was imported");

        CliResult notAnExport = installation.cli("export", "--verify", damaged.getParent().toString());
        assertThat(notAnExport.exitCode()).isEqualTo(2);
        assertThat(notAnExport.err()).contains("is not an export");
    }

    @Test
    @Order(3)
    void volumesSplitTheExportAndMistakesAreRefusedBeforeAnythingIsCopied() throws Exception {
        ExportCatalog catalog = ExportCatalog.read(export.resolve("catalog.json"));
        List<ExportCatalog.FileRef> bySize = catalog.allFiles().stream()
                .sorted(Comparator.comparingLong(ExportCatalog.FileRef::size).reversed()).toList();
        ExportCatalog.FileRef largest = bySize.get(0);
        // the two largest files (the base backup, the Redis snapshot) cannot share a volume
        long volumeSize = largest.size() + bySize.get(1).size() / 2;

        Path tooSmall = volumes.resolveSibling("too-small");
        CliResult refused = installation.cli("export", "--to", tooSmall.toString(), "--volume-size",
                Long.toString(largest.size() / 2));
        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(2);
        assertThat(refused.err()).contains("--volume-size").contains(largest.key()).contains("never split")
                .contains("Nothing was copied");
        assertThat(tooSmall).doesNotExist();

        CliResult unknown = installation.cli("export", "--to", tooSmall.toString(), "--backup-id", "20200101T000000Z-nope");
        assertThat(unknown.exitCode()).as(unknown.all()).isEqualTo(2);
        assertThat(unknown.err()).contains("--backup-id 20200101T000000Z-nope is not in the catalog");
        CliResult nothing = installation.cli("export", "--to", tooSmall.toString(), "--job", REDIS_JOB, "--since", "2999-01-01");
        assertThat(nothing.exitCode()).as(nothing.all()).isEqualTo(2);
        assertThat(nothing.err()).contains("nothing to export").contains("since 2999-01-01");
        CliResult badSize = installation.cli("export", "--to", tooSmall.toString(), "--volume-size", "lots");
        assertThat(badSize.exitCode()).isEqualTo(2);
        assertThat(badSize.err()).contains("--volume-size lots is not a size");
        assertThat(tooSmall).doesNotExist();

        CliResult split = installation.cli("export", "--to", volumes.toString(), "--volume-size", Long.toString(volumeSize));
        assertThat(split.exitCode()).as(split.all()).isEqualTo(0);
        List<Path> dirs;
        try (Stream<Path> entries = Files.list(volumes)) {
            dirs = entries.sorted().toList();
        }
        assertThat(dirs.size()).as("volumes").isGreaterThanOrEqualTo(2);
        assertThat(dirs.get(0).getFileName().toString()).isEqualTo("vol-001");
        for (Path dir : dirs) {
            long size;
            try (Stream<Path> files = Files.walk(dir)) {
                size = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            }
            assertThat(size).as(dir + " fits the volume size").isLessThanOrEqualTo(volumeSize);
            assertThat(sha256sumCheck(dir)).doesNotContain("FAILED");
            assertThat(dir.resolve("RECOVERY.txt")).content().contains("of " + dirs.size());
        }
        CliResult verify = installation.cli("export", "--verify", volumes.toString());
        assertThat(verify.exitCode()).as(verify.all()).isEqualTo(0);
        assertThat(verify.out()).contains(dirs.size() + " volume(s)");
        CliResult one = installation.cli("export", "--verify", dirs.get(1).toString());
        assertThat(one.exitCode()).as(one.all()).isEqualTo(0);
        assertThat(one.out()).contains("volume 2 of " + dirs.size() + " checked alone");
    }

    /** A bad copy is named and the next store's is exported; with no good copy the export fails and leaves nothing. */
    @Test
    @Order(4)
    void aBadCopyIsNamedAndTheNextStoreReadAndWithoutAGoodOneNothingIsLeft() throws Exception {
        ExportCatalog catalog = ExportCatalog.read(export.resolve("catalog.json"));
        ExportCatalog.FileRef dump = catalog.backups().stream().filter(b -> b.backupId().equals(redisBackup)).findFirst()
                .orElseThrow().files().get(0);
        Path local = installation.localStore().resolve(dump.key());
        byte[] original = Files.readAllBytes(local);
        byte[] altered = original.clone();
        altered[altered.length / 2] ^= 0x01;
        Files.write(local, altered);

        Path fallback = temporary(Files.createTempDirectory("mking-export-fallback")).resolve("export");
        CliResult fellBack = installation.cli("export", "--to", fallback.toString(), "--backup-id", redisBackup);
        assertThat(fellBack.exitCode()).as(fellBack.all()).isEqualTo(0);
        assertThat(fellBack.err()).contains("WARNING: " + dump.key() + " in store 'local' is bad: SHA-256")
                .contains("copied from store 'minio' instead");
        assertThat(Files.readAllBytes(fallback.resolve(dump.key()))).isEqualTo(original);

        s3.client().putObject(io.minio.PutObjectArgs.builder().bucket(BUCKET).object(dump.key())
                .stream(new java.io.ByteArrayInputStream(altered), altered.length, -1).build());
        Path none = fallback.resolveSibling("none");
        CliResult failed = installation.cli("export", "--to", none.toString(), "--backup-id", redisBackup);
        assertThat(failed.exitCode()).as(failed.all()).isEqualTo(1);
        assertThat(failed.err()).contains("no good copy of " + dump.key()).contains("in store 'local' is bad")
                .contains("in store 'minio' is bad");
        assertThat(none).as("a failed export leaves nothing that looks like one").doesNotExist();
        Files.write(local, original);
    }

    @Test
    @Order(5)
    void aFreshInstallationImportsTheExportAndRecoversPostgresToATimeAndRestoresRedisFromItAlone() throws Exception {
        String expectedRows = rows(cluster.port(), "id <= 150");
        List<String> expectedKeys = redisContent(redisPort);
        daemon.close();
        // the disaster: the audit database, the local store and the bucket are gone
        TestDatabases.dropAll(installation.auditDatabase());
        TestCluster.run("rm", "-rf", installation.localStore().toString());
        var client = s3.client();
        for (String key : s3.keys(BUCKET)) {
            client.removeObject(io.minio.RemoveObjectArgs.builder().bucket(BUCKET).object(key).build());
        }
        assertThat(s3.keys(BUCKET)).isEmpty();

        // a machine that has nothing else: its own audit database and local store, no route files, the key file
        fresh = new TestInstallation();
        Files.createDirectories(fresh.home().resolve("keys"));
        Files.copy(installation.home().resolve("keys/prod-1.key"), fresh.home().resolve("keys/prod-1.key"));
        fresh.set("mking.encryption.key-dir", fresh.home().resolve("keys").toString());

        // the last volume alone first (what it holds whole is added), then the whole set
        ExportCatalog split = ExportCatalog.read(volumes.resolve("vol-001/catalog.json"));
        Path last = volumes.resolve(String.format("vol-%03d", split.volumes()));
        long whole = split.backups().stream().filter(b -> b.files().stream().allMatch(f -> f.volume() == split.volumes()))
                .count();
        CliResult alone = fresh.cli("import", last.toString());
        assertThat(alone.exitCode()).as(alone.all()).isEqualTo(0);
        assertThat(alone.out()).contains(whole + " backup(s) added to the catalog")
                .contains("volume " + split.volumes() + " of " + split.volumes() + " checked alone");
        CliResult imported = fresh.cli("import", volumes.toString());
        assertThat(imported.exitCode()).as(imported.all()).isEqualTo(0);
        assertThat(imported.out()).contains((3 - whole) + " backup(s) added to the catalog, " + whole + " already known")
                .contains("into store 'local'");
        CliResult twice = fresh.cli("import", volumes.toString());
        assertThat(twice.exitCode()).as(twice.all()).isEqualTo(0);
        assertThat(twice.out()).contains("0 backup(s) added to the catalog, 3 already known").contains("0 files copied");
        assertThat(fresh.cli("list").out()).contains(pgBackup).contains(redisBackup);

        Path dataDir = newDataDir();
        int port = TestCluster.freePort();
        CliResult recover = fresh.cli("recover", PG_JOB, "--data-dir", dataDir.toString(), "--time", targetTime,
                "--port", Integer.toString(port));
        assertThat(recover.exitCode()).as(recover.all()).isEqualTo(0);
        assertThat(recover.out()).contains("base backup " + pgBackup).contains("promoted");
        assertThat(rows(port, "true")).isEqualTo(expectedRows);

        Path redisTarget = fresh.home().resolve("redis-restored");
        int restoredPort = TestCluster.freePort();
        CliResult restore = fresh.cli("restore", redisBackup, "--target", redisTarget.toString(), "--port",
                Integer.toString(restoredPort));
        redisServers.add(restoredPort);
        assertThat(restore.exitCode()).as(restore.all()).isEqualTo(0);
        assertThat(redisContent(restoredPort)).isEqualTo(expectedKeys);

        Path filesTarget = fresh.home().resolve("uploads-restored");
        CliResult files = fresh.cli("restore", filesBackup, "--target", filesTarget.toString());
        assertThat(files.exitCode()).as(files.all()).isEqualTo(0);
        TestCluster.run("diff", "-r", uploads.toString(), filesTarget.toString());
    }

    private Path temporary(Path path) {
        temporary.add(path);
        return path;
    }

    private String run(String job) throws Exception {
        CliResult run = installation.cli("run", job);
        assertThat(run.exitCode()).as(run.all()).isEqualTo(0);
        return run.backupId(job);
    }

    private void switchAndAwaitArchived() throws Exception {
        String last = cluster.queryOne("SELECT pg_walfile_name(pg_current_wal_lsn())");
        cluster.execute("SELECT pg_switch_wal()");
        await().atMost(Duration.ofSeconds(60)).until(() ->
                cluster.queryOne("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver").compareTo(last) >= 0);
    }

    private static String sha256sumCheck(Path dir) throws Exception {
        Process process = new ProcessBuilder("sha256sum", "-c", "export.sha256").directory(dir.toFile())
                .redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = process.waitFor();
        if (!out.contains("FAILED")) {
            assertThat(code).as(out).isEqualTo(0);
        }
        return out;
    }

    private Path newDataDir() throws Exception {
        Path parent = Files.createTempDirectory("mking-recovered");
        Files.setPosixFilePermissions(parent, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dataDir = parent.resolve("data");
        recovered.add(dataDir);
        return dataDir;
    }

    /** Row count and an md5 over every row, as psql would compute it. */
    private static String rows(int port, String where) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT count(*) || ':' || md5(string_agg(id || '/' || phase || '/' || at, ',' "
                     + "ORDER BY id)) FROM events WHERE " + where)) {
            row.next();
            return row.getString(1);
        }
    }

    /** Every key with its type and value, sorted, as redis-cli reads them (TTLs as present or not). */
    private List<String> redisContent(int port) throws Exception {
        List<String> lines = redis(port, "EVAL", com.mking.backup.support.RedisContent.DUMP_SCRIPT, "0").lines()
                .map(line -> line.substring(0, line.lastIndexOf('|') + 1)
                        + (Long.parseLong(line.substring(line.lastIndexOf('|') + 1)) > 0))
                .toList();
        assertThat(lines).hasSize(1001);
        return lines;
    }

    private void startRedis(int port, Path dir) throws Exception {
        TestCluster.run("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                "--save", "", "--daemonize", "yes", "--logfile", dir.resolve("redis.log").toString());
        redisServers.add(port);
        for (int i = 0; i < 100; i++) {
            try {
                if (redis(port, "PING").strip().equals("PONG")) {
                    return;
                }
            } catch (Exception e) {
                // not yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("redis-server on " + port + " did not start");
    }

    private static String redis(int port, String... command) throws Exception {
        List<String> line = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
        line.addAll(List.of(command));
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0 || out.startsWith("ERR")) {
            throw new IllegalStateException(String.join(" ", command) + ": " + out);
        }
        return out;
    }
}
