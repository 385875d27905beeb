package com.mking.backup.cli;

import com.mking.backup.config.ConfigCheck;
import com.mking.backup.config.ConfigException;
import com.mking.backup.config.PropertySources;
import com.mking.backup.config.MkingConfiguration;
import com.mking.backup.config.Settings;
import com.mking.backup.job.JobCatalog;
import com.mking.backup.job.JobSpec;
import com.mking.backup.route.AlertRoutes;
import com.mking.backup.route.BackupJobTemplates;
import com.mking.backup.route.BackupRoutes;
import com.mking.backup.route.CatalogRoutes;
import com.mking.backup.route.ErrorHandling;
import com.mking.backup.route.RestoreRoutes;
import com.mking.backup.route.MonitorRoutes;
import com.mking.backup.route.ReportRoutes;
import com.mking.backup.route.VerifyRoutes;
import com.mking.backup.route.WalRoutes;
import com.mking.backup.exec.StreamingExecutor;
import com.mking.backup.audit.AuditDatabase;
import com.mking.backup.audit.AuditUnavailableException;
import com.mking.backup.monitor.MonitorRunner;
import com.mking.backup.observe.HealthChecks;
import com.mking.backup.observe.JobMetrics;
import com.mking.backup.route.NotificationChannels;
import com.mking.backup.store.StoreRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Boots the camel-main runtime the same way for the daemon and for every CLI command: properties
 * (application.properties, --config files, -D, environment), the Java route builders and templates,
 * and the policy in {@code routes/*.yaml}. Then validates every job before anything runs.
 */
public final class BackupRuntime implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BackupRuntime.class);

    /** Which routes a process needs: a command starts only those it uses (start-up time is the operator's). */
    public enum Profile {
        /** {@code start}: every route, the WAL endpoint and monitoring; Quartz joins the schedule. */
        DAEMON,
        /** Commands that back up, restore, verify or report. */
        COMMAND,
        /** Commands that only read the catalog ({@code list}, {@code status}): no backup, restore, alert or report routes. */
        CATALOG
    }

    private final Main main;
    private final CamelContext context;

    private BackupRuntime(Main main) {
        this.main = main;
        this.context = main.getCamelContext();
    }

    /**
     * @param daemon true for {@code start}: Quartz joins the schedule. CLI commands keep the scheduler off.
     * @param overrides properties that win over the files (tests, {@code --routes})
     */
    public static BackupRuntime boot(List<Path> configFiles, boolean daemon, Map<String, String> overrides) {
        return boot(configFiles, daemon ? Profile.DAEMON : Profile.COMMAND, overrides);
    }

    public static BackupRuntime boot(List<Path> configFiles, Profile profile, Map<String, String> overrides) {
        boolean daemon = profile == Profile.DAEMON;
        Path home = Settings.home();
        // Camel's property sources answer in order, first match wins: the last --config file comes
        // first and application.properties last
        List<String> locations = new ArrayList<>();
        for (Path file : configFiles) {
            Path absolute = file.toAbsolutePath();
            if (!Files.isReadable(absolute)) {
                throw new ConfigException("--config " + file, "the file does not exist or is not readable",
                        "give the path of a readable properties file");
            }
            locations.add(0, "file:" + absolute);
        }
        locations.add("file:" + home.resolve("application.properties") + ";optional=true");
        String routes = overrides.getOrDefault("mking.routes-dir", System.getProperty("mking.routes-dir",
                home.resolve("routes").toString()));
        PropertySources sources = PropertySources.load(home, configFiles);
        ConfigCheck.check(sources, Path.of(routes)).forEach(warning -> LOG.warn(warning));
        if (daemon) {
            checkManagementEndpoint(sources);
        }
        Main main = new Main();
        main.setPropertyPlaceholderLocations(String.join(",", locations));
        Properties initial = new Properties();
        initial.put("mking.home", home.toString());
        initial.put("mking.scheduler.enabled", Boolean.toString(daemon));
        // the daemon's management endpoint, unless the files say otherwise
        initial.put("camel.management.host", "127.0.0.1");
        initial.put("camel.management.port", "8080");
        initial.put("camel.management.healthCheckEnabled", "true");
        initial.put("camel.management.jolokiaEnabled", "true");
        initial.put("camel.management.infoEnabled", "true");
        main.setInitialProperties(initial);
        Properties override = new Properties();
        override.put("mking.scheduler.enabled", Boolean.toString(daemon));
        // only the daemon serves HTTP (health, Jolokia for Hawtio): CLI commands must not take its port
        override.put("camel.management.enabled", Boolean.toString(daemon));
        override.put("camel.metrics.enabled", Boolean.toString(daemon));
        // per-route and per-job series only: exchanges sent to stores outside any route would register meters
        // without a route tag, which Prometheus refuses with a warning on the first WAL push
        override.put("camel.metrics.enableExchangeEventNotifier", "false");
        override.put("camel.management.metricsEnabled", Boolean.toString(daemon));
        // the address checked above is the one served, whichever source set it (CAMEL_MANAGEMENT_PORT included)
        override.put("camel.management.host", sources.get("camel.management.host", "127.0.0.1"));
        override.put("camel.management.port", sources.get("camel.management.port", "8080"));
        // a command sends an alert only when it fails: its mail and Slack clients start then, not on every start-up
        for (String channel : List.of("smtp", "slack")) {
            override.put("camel.component." + channel + ".lazyStartProducer", Boolean.toString(!daemon));
        }
        override.put("mking.routes-dir", routes); // messages name the directory really read
        overrides.forEach(override::put);
        main.setOverrideProperties(override);
        main.configure().withName("mking-backup")
                .withStreamCachingEnabled(false)
                .withJmxEnabled(daemon) // Hawtio's view of the daemon; a command's MBeans would only cost start-up
                .withRoutesIncludePattern("file:" + Path.of(routes).toAbsolutePath() + "/*.yaml")
                .withShutdownTimeout(30)
                .addConfiguration(MkingConfiguration.class);
        main.configure().addRoutesBuilder(new ErrorHandling());
        main.configure().addRoutesBuilder(new BackupJobTemplates());
        main.configure().addRoutesBuilder(new CatalogRoutes());
        if (profile != Profile.CATALOG) {
            main.configure().addRoutesBuilder(new AlertRoutes());
            main.configure().addRoutesBuilder(new NotificationChannels());
            main.configure().addRoutesBuilder(new BackupRoutes());
            main.configure().addRoutesBuilder(new RestoreRoutes());
            main.configure().addRoutesBuilder(new VerifyRoutes());
            main.configure().addRoutesBuilder(new com.mking.backup.route.RetentionRoutes());
            main.configure().addRoutesBuilder(new ReportRoutes());
        }
        if (daemon) {
            main.configure().addRoutesBuilder(new WalRoutes());
            main.configure().addRoutesBuilder(new MonitorRoutes());
        }
        // validate the jobs once the route files are loaded, before any route (or Quartz trigger) starts
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport configured) {
                JobCatalog jobs = configured.getCamelContext().getRegistry().findSingleByType(JobCatalog.class);
                jobs.validateAll();
                if (daemon) { // once, where operators look; commands such as wal-fetch run too often to repeat it
                    jobs.unusedStores().forEach(store -> LOG.warn(unusedStoreWarning(store)));
                }
            }
        });
        try {
            main.start();
        } catch (Exception e) {
            stopQuietly(main);
            // a context that never started does not stop its services: the audit pool would outlive the failure
            AuditDatabase audit = main.getCamelContext() == null ? null
                    : main.getCamelContext().getRegistry().findSingleByType(AuditDatabase.class);
            if (audit != null) {
                try {
                    audit.close();
                } catch (IOException | RuntimeException closing) {
                    e.addSuppressed(closing);
                }
            }
            throw asConfigError(e, Path.of(routes), templateIds(main));
        }
        BackupRuntime runtime = new BackupRuntime(main);
        try {
            runtime.recordJobs();
        } catch (RuntimeException e) {
            runtime.close();
            throw asConfigError(e);
        }
        return runtime;
    }

    /** Why a store of {@code mking.stores} gets no backups, and how to give it some. */
    static String unusedStoreWarning(String store) {
        return "store '" + store + "' is in mking.stores but no job stores to it (a job without a stores parameter uses "
                + "local): name it in the jobs' stores, e.g. \"local," + store + "\", or in the mking.<kind>.stores "
                + "settings the shipped route files read (mking.pg.stores, mking.files.stores, ...)";
    }

    /**
     * The daemon's HTTP port must be free (Vert.x would only log a failed bind and leave the daemon up without
     * health, metrics or the WAL endpoint), and an endpoint beyond loopback must require the WAL token.
     */
    private static void checkManagementEndpoint(PropertySources sources) {
        String host = sources.get("camel.management.host", "127.0.0.1");
        int port = Integer.parseInt(sources.get("camel.management.port", "8080"));
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new java.net.InetSocketAddress(host, port));
        } catch (java.io.IOException e) {
            throw new ConfigException("camel.management.port", port + " on " + host + " is in use (" + e.getMessage()
                    + ")", "stop what listens there (another daemon of this installation?) or set another port");
        }
        boolean loopback;
        try {
            loopback = java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            throw new ConfigException("camel.management.host", "'" + host + "' is not a known host name or address",
                    "use 127.0.0.1, or the address to listen on");
        }
        if (!loopback && sources.get("mking.wal.token", "").isEmpty()) {
            throw new ConfigException("mking.wal.token", "not set while camel.management.host is " + host
                    + " (beyond loopback): anyone who reaches the port could push WAL",
                    "set MKING_WAL_TOKEN to a long random value and add -H \"X-Mking-Token: ...\" to archive_command");
        }
    }

    public CamelContext context() {
        return context;
    }

    public JobCatalog jobs() {
        return context.getRegistry().findSingleByType(JobCatalog.class);
    }

    public <T> T bean(Class<T> type) {
        return context.getRegistry().findSingleByType(type);
    }

    public ProducerTemplate producer() {
        return context.createProducerTemplate();
    }

    /** Daemon only: health checks and per-job metrics on the management endpoint. */
    public void startObservability() {
        org.apache.camel.health.HealthCheckRegistry registry = org.apache.camel.health.HealthCheckRegistry.get(context);
        if (registry != null) {
            HealthChecks.all(bean(AuditDatabase.class).dataSource(),
                    bean(StoreRegistry.class),
                    () -> bean(MonitorRunner.class).staleJobs(),
                    () -> bean(MonitorRunner.class).unprotectedJobs()).forEach(check -> {
                        check.setCamelContext(context);
                        registry.register(check);
                    });
        }
        var meters = context.getRegistry().lookupByNameAndType("metricsRegistry", io.micrometer.core.instrument.MeterRegistry.class);
        if (meters != null) {
            bean(JobMetrics.class).bindTo(meters);
        }
    }

    /** Starts every job's Quartz trigger route (the daemon only). */
    public void startTriggers() throws Exception {
        for (JobSpec job : jobs().jobs()) {
            context.getRouteController().startRoute(job.name());
        }
        org.quartz.Scheduler scheduler = context.getComponent("quartz", org.apache.camel.component.quartz.QuartzComponent.class)
                .getScheduler();
        if (scheduler != null && !scheduler.isStarted()) {
            scheduler.start(); // only now: its misfire recovery fires jobs whose routes must be there to take them
        }
    }

    /** Refreshes {@code backup_configurations} from the route files: one active row per declared job. */
    private void recordJobs() {
        ProducerTemplate producer = producer();
        com.mking.backup.source.SourceRegistry sources = bean(com.mking.backup.source.SourceRegistry.class);
        producer.sendBody(CatalogRoutes.JOBS_DEACTIVATED, null);
        boolean encrypted = context.getPropertiesComponent().resolveProperty("mking.encryption.key-id")
                .filter(s -> !s.isBlank()).isPresent();
        for (JobSpec job : jobs().jobs()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", job.name());
            row.put("backupType", job.source());
            row.put("sourcePath", sources.get(job.source()).location(job));
            row.put("destinationPath", String.join(",", job.stores()));
            row.put("cron", job.cron());
            row.put("compressionEnabled", true);
            row.put("encryptionEnabled", encrypted);
            row.put("remoteEnabled", job.stores().stream().anyMatch(s -> !s.equals("local")));
            row.put("sourceKind", job.source());
            row.put("stores", String.join(",", job.stores()));
            row.put("routeFile", job.routeFile());
            row.put("parameters", job.parameters().toString());
            producer.sendBody(CatalogRoutes.JOB_CONFIGURED, row);
        }
    }

    @Override
    public void close() {
        stopQuietly(main);
    }

    private static void stopQuietly(Main main) {
        try {
            main.stop();
        } catch (Exception ignored) {
            // shutting down after a failure; the original error is what the operator needs
        }
    }

    /** Start-up failures are configuration or environment problems: exit code 2 with the root message. */
    static RuntimeException asConfigError(Throwable e) {
        return asConfigError(e, null, java.util.List.of());
    }

    /**
     * {@code routesDir} and {@code templates} (may be null and empty): Camel's two route template errors are then told
     * with the route file, the job and the fix.
     */
    static RuntimeException asConfigError(Throwable e, Path routesDir, java.util.List<String> templates) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigException config) {
                return config;
            }
            if (t instanceof AuditUnavailableException unavailable) {
                return unavailable;
            }
        }
        if (AuditDatabase.isUnreachable(e)) {
            return new AuditUnavailableException(AuditDatabase.unreachable(e), e);
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return (routesDir == null ? java.util.Optional.<ConfigException>empty() : templateError(message, routesDir, templates))
                .orElseGet(() -> new ConfigException("start-up", message, "check application.properties and "
                        + (routesDir == null ? "routes" : routesDir.toString()) + "/*.yaml"));
    }

    /** The job templates the context has (one per source kind). */
    private static java.util.List<String> templateIds(Main main) {
        if (!(main.getCamelContext() instanceof org.apache.camel.model.ModelCamelContext model)) {
            return java.util.List.of();
        }
        return model.getRouteTemplateDefinitions().stream().map(org.apache.camel.model.RouteTemplateDefinition::getId)
                .toList();
    }

    private static final java.util.regex.Pattern MISSING_PARAMETERS =
            java.util.regex.Pattern.compile("Route template (\\S+) the following mandatory parameters must be provided: ([^ ,]+)");
    private static final java.util.regex.Pattern UNKNOWN_TEMPLATE =
            java.util.regex.Pattern.compile("Cannot find RouteTemplate with id (\\S+)");

    /** Camel's two route template errors, told with the route file, the job and the fix. */
    private static java.util.Optional<ConfigException> templateError(String message, Path routesDir,
                                                                  java.util.List<String> templates) {
        java.util.regex.Matcher missing = MISSING_PARAMETERS.matcher(message);
        if (missing.find()) {
            String template = missing.group(1);
            String parameter = missing.group(2);
            String where = com.mking.backup.config.RouteFileJobs.lacking(routesDir, template, parameter)
                    .orElse(routesDir + "/*.yaml, a " + template + " job");
            return java.util.Optional.of(new ConfigException(where + " parameter '" + parameter + "'", "is required by "
                    + template + " jobs", "add - {name: " + parameter + ", value: ...} (README.md lists each job's parameters)"));
        }
        java.util.regex.Matcher unknown = UNKNOWN_TEMPLATE.matcher(message);
        if (unknown.find()) {
            String template = unknown.group(1);
            String where = com.mking.backup.config.RouteFileJobs.naming(routesDir, template).orElse(routesDir + "/*.yaml");
            return java.util.Optional.of(new ConfigException(where + " routeTemplateRef '" + template + "'",
                    "is no job template", com.mking.backup.config.ConfigCheck.closest(template, templates)
                            .map(c -> "did you mean '" + c + "'? ").orElse("") + "the templates are: "
                            + String.join(", ", templates)));
        }
        return java.util.Optional.empty();
    }
}
