package com.mking.backup.store;

import com.mking.backup.support.CliResult;
import com.mking.backup.support.FaultyHttpProxy;
import com.mking.backup.support.SampleDatabase;
import com.mking.backup.support.TestDatabases;
import com.mking.backup.support.TestInstallation;
import com.mking.backup.support.TestS3;
import com.mking.backup.support.TestSftpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backup as operators run it (the production profile: encryption on, stores local + S3 + the backup server over SFTP)
 * through a bad network: S3 answers 503 SlowDown to 30 % of requests (half of them after carrying the request out), and
 * the SSH connection to the backup server is cut in the middle of the upload. The run succeeds; every copy equals the
 * local one, checked with clients not ours (awscli, diff); nothing unfinished is left; the database restores from S3
 * through the same faults and from the backup server, equal to the source.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UnreliableNetworkTest {

    private static final String JOB = "shop";

    private TestS3 s3;
    private FaultyHttpProxy flakyS3;
    private TestSftpServer backupServer;
    private TestInstallation installation;
    private String database;

    @BeforeAll
    void start() throws Exception {
        s3 = new TestS3();
        flakyS3 = new FaultyHttpProxy(java.net.URI.create(s3.endpoint()).getPort(), 0.30, 11);
        backupServer = new TestSftpServer(true);
        database = TestDatabases.uniqueName("shop");
        SampleDatabase.create(database);
        installation = new TestInstallation().production(s3, "flaky").withSftp(backupServer, "backup")
                .set("mking.stores", "local,minio,backup")
                .set("mking.store.minio.endpoint", flakyS3.endpoint())
                .set("mking.store.minio.attempts", "10") // 0.3^10: a request failing ten times in a row would be bad luck
                .withPgLogicalJob(JOB, database, "local,minio,backup", "0 0 3 * * ?");
    }

    @AfterAll
    void stop() throws Exception {
        installation.close();
        backupServer.close();
        flakyS3.close();
        s3.close();
        TestDatabases.dropAll(database); // the restored copies' names start with it
    }

    @Test
    void aBackupThroughFaultsSucceedsEveryCopyIsWholeAndItRestoresFromEachRemoteStore() throws Exception {
        AtomicBoolean cut = new AtomicBoolean();
        Thread cutter = new Thread(() -> {
            while (!cut.get() && !Thread.currentThread().isInterrupted()) {
                if (backupServer.bytesWritten() > 6L << 20) {
                    backupServer.cutConnections();
                    cut.set(true);
                }
                Thread.onSpinWait();
            }
        });
        cutter.setDaemon(true);
        cutter.start();
        CliResult run = installation.cli("run", JOB);
        cutter.interrupt();
        assertThat(run.exitCode()).as(run.all()).isEqualTo(0);
        String backupId = run.backupId(JOB);
        assertThat(cut).as("the SSH connection was cut mid-upload").isTrue();
        assertThat(flakyS3.faults()).as("S3 faults injected of " + flakyS3.requests() + " requests").isGreaterThan(3);

        Path local = installation.localStore().resolve(JOB);
        Path fromS3 = Files.createTempDirectory("s3-copy");
        aws("s3", "cp", "--recursive", "s3://flaky/" + JOB + "/", fromS3.toString());
        diff(local, fromS3);
        diff(local, installation.remoteStore().resolve(JOB));
        try (Stream<Path> files = Files.walk(installation.remoteStore())) {
            assertThat(files.map(Path::getFileName).map(Path::toString)).noneMatch(name -> name.startsWith(".partial-"));
        }
        assertThat(s3.unfinishedUploads("flaky", "")).isEmpty();
        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet row = statement.executeQuery("SELECT status, (SELECT count(*) FROM backup_copies c WHERE c.backup_execution_id = e.id"
                     + " AND c.status = 'stored') FROM backup_executions e WHERE backup_id = '" + backupId + "'")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).isEqualTo("success");
            assertThat(row.getInt(2)).as("copies on record").isEqualTo(3);
        }

        Map<String, String> source = SampleDatabase.fingerprint(database);
        for (String store : List.of("minio", "backup")) {
            String target = database + "_from_" + store;
            CliResult restore = installation.cli("restore", backupId, "--database", target, "--from", store);
            assertThat(restore.exitCode()).as(restore.all()).isEqualTo(0);
            assertThat(SampleDatabase.fingerprint(target)).as("restored from " + store).isEqualTo(source);
        }
    }

    private void aws(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("aws", "--endpoint-url", s3.endpoint(), "--region", "us-east-1"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("AWS_ACCESS_KEY_ID", TestS3.ACCESS_KEY);
        builder.environment().put("AWS_SECRET_ACCESS_KEY", TestS3.SECRET_KEY);
        builder.environment().put("AWS_CONFIG_FILE", "/dev/null");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
    }

    private static void diff(Path expected, Path actual) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("diff", "-r", expected.toString(), actual.toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as("diff -r " + expected + " " + actual + ": " + output).isZero();
    }
}
