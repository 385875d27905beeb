package com.mking.backup.route;

import com.mking.backup.config.MkingConfiguration;
import com.mking.backup.job.BackupRun;
import com.mking.backup.job.BackupRunner;
import com.mking.backup.restore.RestoreTask;
import com.mking.backup.restore.Restorer;
import com.mking.backup.support.TestInstallation;
import com.mking.backup.support.TestS3;
import org.apache.camel.NamedNode;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import com.mking.backup.pipeline.ArtefactWriter;
import com.mking.backup.pipeline.StageTotals;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The routes in one Camel Main, as camel-test runs them (the main-yaml example's pattern): the backup route reads as the
 * design card in Hawtio, and a backup and a restore are started by headers alone, as a route file would, then checked
 * with git and the audit tables.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackupRouteTest extends CamelMainTestSupport {

    // camel-test reads the properties while constructing the test, so the installation exists before any instance
    private static final TestInstallation installation;
    private static final TestS3 s3;
    private static final Path repository;

    static {
        try {
            s3 = new TestS3();
            installation = new TestInstallation().production(s3, "routes");
            repository = installation.home().resolve("app");
            Files.createDirectories(repository);
            git(repository, "init", "--quiet", "--initial-branch=main");
            Files.writeString(repository.resolve("README"), "routes\n");
            git(repository, "add", "README");
            git(repository, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "--quiet", "-m", "first");
            git(repository, "tag", "v1");
            installation.withJob("git", "code", Map.of("repositories", repository.toString(), "stores", "local,minio"));
            installation.writeConfig();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @BeforeAll
    void home() {
        System.setProperty("mking.home", installation.home().toString());
    }

    @AfterAll
    void remove() throws Exception {
        // the context's pools (Quartz's among them) go before their audit database does, or they keep retrying it
        context.stop();
        System.clearProperty("mking.home");
        installation.close();
        s3.close();
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        configuration.addConfiguration(MkingConfiguration.class);
        for (org.apache.camel.RoutesBuilder builder : List.of(new ErrorHandling(), new BackupJobTemplates(), new CatalogRoutes(),
                new AlertRoutes(), new NotificationChannels(), new BackupRoutes(), new RestoreRoutes(), new VerifyRoutes(),
                new RetentionRoutes())) {
            configuration.addRoutesBuilder(builder);
        }
        configuration.withRoutesIncludePattern("file:" + installation.routes().toAbsolutePath() + "/*.yaml");
    }

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties properties = new Properties();
        try (FileInputStream in = new FileInputStream(installation.configFile().toFile())) {
            properties.load(in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        properties.put("mking.scheduler.enabled", "false");
        properties.put("camel.management.enabled", "false");
        return properties;
    }

    @Test
    void theBackupRouteReadsAsTheDesignCard() {
        List<String> ids = new ArrayList<>();
        collectIds(((ModelCamelContext) context).getRouteDefinition("backup-run").getOutputs(), ids);
        assertThat(ids).containsSubsequence("backup-job-lock", "backup-audit-start", "backup-source-prepare",
                "backup-artefacts", "backup-tool-command", "backup-tool", "backup-java-stream", "backup-checksum",
                "backup-compress", "backup-encrypt", "backup-stores",
                "backup-manifest", "backup-audit-success", "backup-copies", "backup-alert-clear", "backup-verify");
        assertThat(ids).as("every step has an id of its own").doesNotHaveDuplicates();
    }

    @Test
    void aBackupAndARestoreStartedByHeadersAloneRoundTrip() throws Exception {
        StageTotals totals = context.getRegistry().findSingleByType(ArtefactWriter.class).totals();
        Map<String, Long> before = new java.util.HashMap<>();
        StageTotals.STAGES.forEach(stage -> before.put(stage, totals.bytes(stage)));
        BackupRun run = template.requestBodyAndHeaders(BackupRoutes.RUN, null,
                Map.of(BackupRunner.JOB_HEADER, "code", BackupRunner.TRIGGER_HEADER, "route"), BackupRun.class);
        assertThat(run.status()).as(String.valueOf(run.error())).isEqualTo(BackupRun.Status.SUCCESS);
        assertThat(run.copies()).extracting(com.mking.backup.job.StoredCopy::store).containsExactly("local", "minio");
        // every step's stage saw the bytes it should: raw into checksum and compress, fewer into encrypt, stored out
        long raw = run.manifest().rawSize();
        assertThat(totals.bytes("tool") - before.get("tool")).isEqualTo(raw);
        assertThat(totals.bytes("checksum") - before.get("checksum")).isEqualTo(raw);
        assertThat(totals.bytes("compress") - before.get("compress")).isEqualTo(raw);
        assertThat(totals.bytes("encrypt") - before.get("encrypt")).isPositive().isLessThan(run.manifest().storedSize());
        assertThat(totals.bytes("stores") - before.get("stores")).isEqualTo(run.manifest().storedSize());
        assertThat(audit("SELECT status || '/' || triggered_by || '/' || verification_status FROM backup_executions "
                + "WHERE backup_id = '" + run.getBackupId() + "'")).isEqualTo("success/route/passed");

        Path target = installation.home().resolve("restored");
        RestoreTask task = template.requestBodyAndHeaders(RestoreRoutes.REQUEST, null, Map.of(
                Restorer.BACKUP_ID, run.getBackupId(), Restorer.TARGET, target.toString(), Restorer.REQUESTED_BY, "route test"),
                RestoreTask.class);
        assertThat(task.succeeded()).as(String.valueOf(task.error())).isTrue();
        assertThat(git(target.resolve("app.git"), "for-each-ref", "--format=%(objectname) %(refname)"))
                .isEqualTo(git(repository, "for-each-ref", "--format=%(objectname) %(refname)"));
        assertThat(audit("SELECT status || '/' || requested_by FROM restore_tasks ORDER BY id DESC LIMIT 1"))
                .isEqualTo("success/route test");
    }

    private static void collectIds(List<ProcessorDefinition<?>> outputs, List<String> ids) {
        for (ProcessorDefinition<?> output : outputs) {
            if (output.getId() != null) {
                ids.add(output.getId());
            }
            collectIds(output.getOutputs(), ids);
        }
    }

    private String audit(String query) throws Exception {
        try (Connection connection = installation.audit(); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(query)) {
            return result.next() ? result.getString(1) : null;
        }
    }

    private static String git(Path directory, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git", "-C", directory.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + ": " + out);
        }
        return out;
    }
}
