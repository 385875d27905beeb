package com.mking.backup.config;

import com.mking.backup.alert.AlertDispatcher;
import com.mking.backup.alert.AlertLedger;
import com.mking.backup.alert.AlertPolicy;
import com.mking.backup.audit.AuditDatabase;
import com.mking.backup.audit.Catalog;
import com.mking.backup.audit.JobStats;
import com.mking.backup.observe.JobMetrics;
import com.mking.backup.exec.RemoteShell;
import com.mking.backup.exec.StreamingExecutor;
import com.mking.backup.job.BackupRunner;
import com.mking.backup.job.JobCatalog;
import com.mking.backup.audit.AdvisoryLocks;
import com.mking.backup.pipeline.ArtefactReader;
import com.mking.backup.pipeline.ArtefactWriter;
import com.mking.backup.pipeline.Compression;
import com.mking.backup.pipeline.Keyring;
import com.mking.backup.pipeline.PipelineSettings;
import com.mking.backup.source.postgres.recovery.ClusterRecovery;
import com.mking.backup.source.postgres.recovery.RecoveryPlanner;
import com.mking.backup.restore.RestoreTester;
import com.mking.backup.restore.Restorer;
import com.mking.backup.monitor.MonitorRunner;
import com.mking.backup.retention.Pruner;
import com.mking.backup.verify.Verifier;
import com.mking.backup.source.postgres.wal.ArchiveExpectations;
import com.mking.backup.source.postgres.wal.ArchiveMonitor;
import com.mking.backup.source.postgres.wal.BaseBackupRetention;
import com.mking.backup.source.postgres.wal.WalArchive;
import com.mking.backup.source.postgres.wal.WalPushEndpoint;
import com.mking.backup.source.SourceFactory;
import com.mking.backup.source.SourceRegistry;
import com.mking.backup.store.StoreRegistry;
import com.mking.backup.audit.CatalogRebuilder;
import com.mking.backup.job.InterruptedRuns;
import com.mking.backup.source.postgres.recovery.ArchiveVerifier;
import com.mking.backup.route.NotificationChannels;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.component.slack.SlackComponent;
import org.apache.camel.support.service.ServiceSupport;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds every bean the routes use, from the {@code mking.*} properties (camel-main configuration class).
 * Each bean is plain Java; routes find them by type or by the names given here.
 */
public final class MkingConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        SensitiveKeywords.apply(context);
        Settings settings = new Settings(context);
        Clock clock = Clock.systemUTC();

        AuditDatabase audit = AuditDatabase.open(settings);
        try {
            configure(context, settings, clock, audit);
        } catch (Exception | Error e) {
            // the context never starts, so its services never stop: the pool (and an embedded server's share) is closed here
            audit.close();
            throw e;
        }
    }

    private void configure(CamelContext context, Settings settings, Clock clock, AuditDatabase audit) throws Exception {
        context.addService(new Closer(audit));
        context.getRegistry().bind("auditDatabase", audit);
        context.getRegistry().bind("auditDataSource", audit.dataSource());
        if (settings.bool("mking.scheduler.enabled", true)) {
            configureQuartz(context, settings, audit);
        } else {
            // a command's routes/*.yaml (daily report, sample verification) keep their quartz: endpoints: in memory,
            // never started, so a long restore does not send the daily report a second time
            QuartzComponent quartz = context.getComponent("quartz", QuartzComponent.class);
            quartz.setAutoStartScheduler(false);
            // no job ever runs in it: waiting for jobs at shutdown only waits out its idle worker threads (0.5 s per command)
            quartz.setInterruptJobsOnShutdown(true);
        }

        Keyring keyring = keyring(settings);
        PipelineSettings pipeline = pipeline(settings, keyring);
        ArtefactWriter writer = new ArtefactWriter(pipeline, keyring);
        ArtefactReader reader = new ArtefactReader(keyring);
        context.getRegistry().bind("artefactWriter", writer);
        context.getRegistry().bind("artefactReader", reader);

        StreamingExecutor executor = new StreamingExecutor();
        context.getRegistry().bind("toolExecutor", executor);
        context.getRegistry().bind("toolBinding", new com.mking.backup.exec.ToolBinding());

        StoreRegistry stores = StoreRegistry.fromSettings(settings, context);
        // pg-physical's retention needs the WAL archive, which needs the job catalog, which needs the sources: the
        // sources look such services up when they need them
        removeOldPgPass(settings);
        java.nio.file.Path knownHosts = settings.dataDir().resolve("ssh_known_hosts");
        context.getRegistry().bind(RemoteShell.SSH_CLIENT, RemoteShell.clientBuilder(knownHosts));
        RemoteShell remoteShell = new RemoteShell(knownHosts, context);
        SourceRegistry sources = SourceRegistry.load(new SourceFactory.Context(settings, remoteShell,
                new SourceFactory.Lookup() {
                    @Override
                    public <T> T find(Class<T> type) {
                        return context.getRegistry().findSingleByType(type);
                    }
                }));
        JobCatalog jobs = new JobCatalog(context, sources, stores);
        Catalog catalog = new Catalog(context.createProducerTemplate());
        AdvisoryLocks locks = new AdvisoryLocks(audit.dataSource());
        ArchiveExpectations expectations = new ArchiveExpectations(job -> catalog.restorable(job.name()).stream().findFirst()
                .flatMap(entry -> BaseBackupRetention.manifestOf(entry, stores)), clock);
        WalArchive walArchive = new WalArchive(jobs, stores, writer, reader, locks, expectations,
                (job, file, timeline, point) -> catalog.recordRestorePoint(job, file, timeline, point.name(),
                        point.lsn().toString(), point.time()), clock);
        context.getRegistry().bind("walArchive", walArchive);
        context.getRegistry().bind("walPushEndpoint", new WalPushEndpoint(walArchive, settings.get("mking.wal.token", ""),
                settings.integer("mking.wal.concurrent-pushes", 4), settings.integer("mking.wal.upload-idle-timeout-seconds", 60)));
        context.getRegistry().bind("baseBackupRetention", new BaseBackupRetention(catalog, stores, walArchive));
        context.getRegistry().bind("archiveMonitor", new ArchiveMonitor(clock));
        context.getRegistry().bind("alertLedger", new AlertLedger(context.createProducerTemplate(),
                new AlertPolicy(java.time.Duration.ofMinutes(settings.integer("mking.alert.quiet-period-minutes", 240))), clock));
        configureSlack(context, settings);
        context.getRegistry().bind("alertDispatcher", new AlertDispatcher(context.createProducerTemplate(),
                () -> NotificationChannels.channels(context, false)));
        JobStats jobStats = new JobStats(context.createProducerTemplate());
        context.getRegistry().bind("jobStats", jobStats);
        context.getRegistry().bind("jobMetrics", new JobMetrics(jobs, jobStats,
                context.getRegistry().findSingleByType(AlertDispatcher.class), stores, writer.totals()));
        context.getRegistry().bind("monitorRunner", new MonitorRunner(jobs, catalog, stores, settings,
                context.createProducerTemplate(), clock));
        context.getRegistry().bind("pruner", new Pruner(catalog, stores, java.time.ZoneId.systemDefault(),
                (job, store, oldestKept) -> context.getRegistry().findSingleByType(BaseBackupRetention.class)
                        .pruneWal(job, store, oldestKept),
                job -> sources.get(job.source()).capability(com.mking.backup.source.RetentionDefaults.class)
                        .map(com.mking.backup.source.RetentionDefaults::keepLast).orElse(0)));
        Verifier verifier = new Verifier(stores, sources, jobs, reader, context.createProducerTemplate(), clock);
        context.getRegistry().bind("verifier", verifier);
        RecoveryPlanner planner = new RecoveryPlanner(catalog, stores, walArchive);
        context.getRegistry().bind("recoveryPlanner", planner);
        context.getRegistry().bind("archiveVerifier", new ArchiveVerifier(catalog, stores, walArchive,
                planner));
        context.getRegistry().bind("clusterRecovery", new ClusterRecovery(planner, walArchive, context.createProducerTemplate()));
        context.getRegistry().bind("statusService", new com.mking.backup.app.StatusService(jobs, catalog,
                context.getRegistry().findSingleByType(ArchiveMonitor.class),
                context.getRegistry().findSingleByType(com.mking.backup.monitor.MonitorRunner.class)));
        context.getRegistry().bind("checkQueries", new com.mking.backup.restore.CheckQueries(context));
        context.getRegistry().bind("restoreTester", new RestoreTester(catalog, jobs, locks, context.createProducerTemplate(),
                settings, clock));
        context.getRegistry().bind("stores", stores);
        context.getRegistry().bind("sources", sources);
        context.getRegistry().bind("jobs", jobs);
        context.getRegistry().bind("catalog", catalog);
        context.getRegistry().bind("catalogRebuilder", new CatalogRebuilder(stores, catalog,
                context.createProducerTemplate()));
        Path decodedCopies = settings.dataDir().resolve("restore");
        InterruptedRuns interruptedRuns = new InterruptedRuns(jobs, stores, locks, walArchive,
                context.createProducerTemplate(), clock, decodedCopies);
        context.getRegistry().bind("backupRunner", new BackupRunner(jobs, sources, stores, writer, verifier,
                locks, clock, remoteShell, interruptedRuns));
        context.getRegistry().bind("restorer", new Restorer(catalog, jobs, sources, stores, reader, locks, clock, decodedCopies));
        bindServices(context, jobs, catalog, stores, locks, clock);
        context.getRegistry().bind("interruptedRuns", interruptedRuns);
        context.getRegistry().bind("exportService", new com.mking.backup.app.ExportService(
                new com.mking.backup.export.Exporter(catalog, stores, sources, walArchive,
                        settings.optional("mking.encryption.key-dir").map(dir -> Settings.home().resolve(dir).toString()).orElse(null),
                        clock),
                new com.mking.backup.export.Importer(context.getRegistry().findSingleByType(CatalogRebuilder.class), catalog),
                stores));
    }

    /** Versions before the per-tool secrets kept PostgreSQL passwords in a pgpass file: none is kept any more. */
    private static void removeOldPgPass(Settings settings) {
        java.nio.file.Path old = settings.dataDir().resolve("secrets").resolve("pgpass");
        try {
            if (java.nio.file.Files.deleteIfExists(old)) {
                org.slf4j.LoggerFactory.getLogger(MkingConfiguration.class).info("removed {}: passwords now reach each "
                        + "tool in its own environment only", old);
            }
        } catch (java.io.IOException e) {
            org.slf4j.LoggerFactory.getLogger(MkingConfiguration.class).warn("could not remove {}, which holds passwords: {}",
                    old, e.getMessage());
        }
    }

    /** The services routes, CLI and (later) the web console share (app/). */
    private static void bindServices(CamelContext context, JobCatalog jobs, Catalog catalog, StoreRegistry stores,
                                     AdvisoryLocks locks, java.time.Clock clock) {
        var registry = context.getRegistry();
        registry.bind("backupService", new com.mking.backup.app.BackupService(jobs, context.createProducerTemplate()));
        registry.bind("restoreService", new com.mking.backup.app.RestoreService(registry.findSingleByType(Restorer.class),
                context.createProducerTemplate(), clock));
        registry.bind("verifyService", new com.mking.backup.app.VerifyService(catalog, context.createProducerTemplate()));
        registry.bind("retentionService", new com.mking.backup.app.RetentionService(jobs, registry.findSingleByType(Pruner.class),
                locks, registry.findSingleByType(com.mking.backup.source.SourceRegistry.class), stores));
        registry.bind("archiveService", new com.mking.backup.app.ArchiveService(jobs, stores,
                registry.findSingleByType(ArchiveVerifier.class)));
    }

    private static Keyring keyring(Settings settings) {
        var keyDir = settings.optional("mking.encryption.key-dir");
        var keyId = settings.optional("mking.encryption.key-id");
        if (keyDir.isEmpty()) {
            if (keyId.isPresent()) {
                throw new ConfigException("mking.encryption.key-dir", "not set but mking.encryption.key-id is",
                        "set the directory holding " + keyId.get() + ".key (create one with: mking-backup keygen " + keyId.get() + ")");
            }
            return Keyring.none();
        }
        try {
            return Keyring.load(Settings.home().resolve(keyDir.get()), keyId.orElse(""));
        } catch (IOException e) {
            throw new ConfigException(keyId.isPresent() ? "mking.encryption.key-id" : "mking.encryption.key-dir",
                    e.getMessage(), "fix the path, or put back the key file from your copy of the keys (backups written "
                            + "with a key cannot be read without it); only a new installation creates one, with: "
                            + "mking-backup keygen KEY_ID");
        }
    }

    private static PipelineSettings pipeline(Settings settings, Keyring keyring) {
        Compression compression;
        try {
            compression = Compression.parse(settings.get("mking.pipeline.compression", "zstd"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("mking.pipeline.compression", e.getMessage(), "use zstd, gzip or none");
        }
        int level = settings.integer("mking.pipeline.compression-level", 1);
        int max = compression == Compression.GZIP ? 9 : 19;
        if (level < 1 || level > max) {
            throw new ConfigException("mking.pipeline.compression-level", "level " + level + " is out of range for "
                    + compression.id(), "use 1 to " + max + (compression == Compression.GZIP ? " (6 is gzip's default)"
                    : " (1 is the default, 3 zstd's own)"));
        }
        return new PipelineSettings(compression, level, settings.integer("mking.pipeline.compression-threads", 2),
                keyring.currentKeyId().isPresent(),
                settings.bool("mking.pipeline.verify-after-write", true));
    }

    /**
     * The Slack webhook URL is a secret (its path is the token): it configures the slack component, which every
     * {@code slack:} endpoint inherits, so no endpoint URI carries it. A route may still set {@code webhookUrl}
     * itself (for another workspace); {@link SensitiveKeywords} masks it there.
     */
    private static void configureSlack(CamelContext context, Settings settings) {
        context.getComponent("slack", SlackComponent.class)
                .setWebhookUrl(settings.get("mking.alert.slack.webhook-url", "http://localhost/"));
    }

    /**
     * Quartz keeps its triggers in the audit database, clustered even on one node: that is what makes a
     * fire missed while the daemon was down run once at start-up, and lets nodes share the schedule. Only the
     * daemon has a scheduler: a CLI command's would join the cluster and fire the daemon's jobs.
     */
    private static void configureQuartz(CamelContext context, Settings settings, AuditDatabase audit) {
        Map<String, Object> quartz = new HashMap<>();
        quartz.put("org.quartz.scheduler.instanceName", "mking-backup");
        quartz.put("org.quartz.scheduler.instanceId", "AUTO");
        quartz.put("org.quartz.threadPool.threadCount", Integer.toString(settings.integer("mking.scheduler.threads", 4)));
        quartz.put("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        quartz.put("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        quartz.put("org.quartz.jobStore.dataSource", "audit");
        quartz.put("org.quartz.jobStore.isClustered", "true");
        quartz.put("org.quartz.jobStore.misfireThreshold", "60000");
        quartz.put("org.quartz.dataSource.audit.provider", "hikaricp");
        quartz.put("org.quartz.dataSource.audit.driver", "org.postgresql.Driver");
        quartz.put("org.quartz.dataSource.audit.URL", audit.url());
        quartz.put("org.quartz.dataSource.audit.user", audit.user());
        quartz.put("org.quartz.dataSource.audit.password", audit.password());
        quartz.put("org.quartz.dataSource.audit.maxConnections", "4");
        QuartzComponent component = context.getComponent("quartz", QuartzComponent.class);
        component.setProperties(quartz);
        // started once the jobs' routes are (BackupRuntime.startTriggers): at its start it fires what was missed while
        // the daemon was down, and a fire reaching a job whose route has not started yet is dropped by camel-quartz
        component.setAutoStartScheduler(false);
    }

    /** Closes the audit database (and stops the embedded server this process started) with the context. */
    private static final class Closer extends ServiceSupport {
        private final AuditDatabase audit;

        Closer(AuditDatabase audit) {
            this.audit = audit;
        }

        @Override
        protected void doStop() throws Exception {
            audit.close();
        }
    }
}
