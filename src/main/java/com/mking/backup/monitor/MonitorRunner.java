package com.mking.backup.monitor;

import com.mking.backup.alert.Alert;
import com.mking.backup.audit.Catalog;
import com.mking.backup.audit.CatalogEntry;
import com.mking.backup.config.Settings;
import com.mking.backup.job.JobCatalog;
import com.mking.backup.job.JobSpec;
import com.mking.backup.route.AlertRoutes;
import com.mking.backup.store.Store;
import com.mking.backup.store.StoreRegistry;
import org.apache.camel.ProducerTemplate;
import org.quartz.CronExpression;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One pass of the daemon's monitoring: staleness of every job, usage of every store (a
 * {@code storage_monitoring} row each), and the number of restorable backups per job and store. Each
 * finding raises or clears its alert condition; the ledger keeps that from becoming a storm.
 */
public final class MonitorRunner {

    public static final String STORAGE_RECORDED = "direct:storage-recorded";
    private static final Logger LOG = LoggerFactory.getLogger(MonitorRunner.class);

    private final JobCatalog jobs;
    private final Catalog catalog;
    private final StoreRegistry stores;
    private final Settings settings;
    private final ProducerTemplate producer;
    private final Clock clock;

    public MonitorRunner(JobCatalog jobs, Catalog catalog, StoreRegistry stores, Settings settings, ProducerTemplate producer,
                         Clock clock) {
        this.jobs = jobs;
        this.catalog = catalog;
        this.stores = stores;
        this.settings = settings;
        this.producer = producer;
        this.clock = clock;
    }

    /** Jobs with no successful backup inside their window, now (for the health check). */
    public List<String> staleJobs() {
        Instant now = clock.instant();
        List<String> stale = new ArrayList<>();
        for (JobSpec job : jobs.jobs()) {
            if (Checks.staleness(job.name(), lastSuccess(job), catalog.configuredAt(job.name()), now, window(job)).isPresent()) {
                stale.add(job.name());
            }
        }
        return stale;
    }

    private Optional<Instant> lastSuccess(JobSpec job) {
        return catalog.list(job.name(), null, "success", 1).stream().findFirst()
                .map(entry -> entry.endTime().toInstant(ZoneOffset.UTC));
    }

    private final Map<String, Optional<Alert>> lastProtection = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Whether a job's source is set up to be protected (a ContinuousArchive archives into this job); empty when it is,
     * or when the source does not answer (that is its own finding).
     */
    public Optional<Alert> protection(JobSpec job) {
        Optional<com.mking.backup.source.ContinuousArchive> archive = jobs.capability(job,
                com.mking.backup.source.ContinuousArchive.class);
        if (archive.isEmpty()) {
            return Optional.empty();
        }
        Optional<Alert> finding;
        try {
            finding = archive.get().protectionGap(job, settings.optional("mking.wal.token").isPresent())
                    .map(gap -> new Alert("protection:" + job.name(), gap.certain() ? Alert.Level.DANGER : Alert.Level.WARNING,
                            "job " + job.name() + (gap.certain() ? " is not protected" : " may not be protected"), gap.detail()));
        } catch (Exception e) {
            finding = Optional.empty();
        }
        lastProtection.put(job.name(), finding);
        return finding;
    }

    /** Jobs found not protected by the last check (checked now when never checked), for the health check. */
    public List<String> unprotectedJobs() {
        List<String> unprotected = new ArrayList<>();
        for (JobSpec job : jobs.jobs()) {
            Optional<Alert> finding = lastProtection.containsKey(job.name()) ? lastProtection.get(job.name()) : protection(job);
            finding.filter(alert -> alert.level() == Alert.Level.DANGER).ifPresent(alert -> unprotected.add(job.name()));
        }
        return unprotected;
    }

    /** Per job, what the monitoring finds wrong with it now (stale, not protected), as the report shows it. */
    public Map<String, List<String>> problemsByJob() {
        Map<String, List<String>> problems = new java.util.LinkedHashMap<>();
        Instant now = clock.instant();
        for (JobSpec job : jobs.jobs()) {
            List<String> found = new ArrayList<>();
            Checks.staleness(job.name(), lastSuccess(job), catalog.configuredAt(job.name()), now, window(job))
                    .ifPresent(alert -> found.add(alert.subject() + " (" + alert.detail() + ")"));
            protection(job).ifPresent(alert -> found.add(alert.subject() + ": " + alert.detail()));
            problems.put(job.name(), found);
        }
        return problems;
    }

    /** What one check found: the condition and, when it is not clear, its alert. */
    public record Finding(String condition, Optional<Alert> alert) {
    }

    public List<Finding> runOnce() {
        Instant now = clock.instant();
        List<Finding> findings = new ArrayList<>();
        for (JobSpec job : jobs.jobs()) {
            findings.add(new Finding("stale:" + job.name(), Checks.staleness(job.name(), lastSuccess(job), catalog.configuredAt(job.name()), now, window(job))));
            catalog.list(job.name(), null, "success", 1).stream().findFirst()
                    .ifPresent(newest -> findings.add(new Finding("damaged:" + job.name(), Checks.damaged(job.name(), newest))));
            if (jobs.capability(job, com.mking.backup.source.ContinuousArchive.class).isPresent()) {
                findings.add(new Finding("protection:" + job.name(), protection(job)));
            }
            List<Catalog.SourceSize> sizes = catalog.sourceSizes(job.name(), Checks.SHRINK_HELD_RUNS + 8);
            if (!sizes.isEmpty()) {
                findings.add(new Finding("shrink:" + job.name(), Checks.shrinkage(job.name(), sizes)));
            }
            findings.addAll(objectLimitFindings(job));
            int minimum = Integer.parseInt(job.parameter("minCopies", "0"));
            if (minimum > 0) {
                List<CatalogEntry> restorable = catalog.restorable(job.name());
                for (String store : job.stores()) {
                    int count = (int) restorable.stream().filter(e -> e.goodIn(store)).count();
                    findings.add(new Finding("copies:" + job.name() + ":" + store, Checks.copyCount(job.name(), store, count, minimum)));
                }
            }
        }
        int warning = settings.integer("mking.monitor.storage-warning-percent", 80);
        int critical = settings.integer("mking.monitor.storage-critical-percent", 90);
        for (String name : stores.names()) {
            try {
                long[] usage = usage(stores.get(name));
                record(name, usage[0], usage[1], warning, critical);
                findings.add(new Finding("storage:" + name, Checks.storage(name, usage[0], usage[1], warning, critical)));
                findings.add(new Finding("store:" + name, Optional.empty()));
            } catch (IOException | RuntimeException e) {
                // a store that cannot be measured cannot take tonight's backups either: said as loudly as a source
                LOG.warn("usage of store {} not measured: {}", name, e.getMessage());
                findings.add(new Finding("store:" + name, Checks.unreachable("store:" + name, "store " + name,
                        Optional.of(String.valueOf(e.getMessage())))));
            }
        }
        findings.addAll(systemFindings());
        findings.addAll(connectivityFindings());
        for (Finding finding : findings) {
            Map<String, Object> headers = new HashMap<>();
            headers.put(AlertRoutes.CONDITION, finding.condition());
            if (finding.alert().isPresent()) {
                Alert alert = finding.alert().get();
                headers.put(AlertRoutes.LEVEL, alert.level().name());
                headers.put(AlertRoutes.SUBJECT, alert.subject());
                headers.put(AlertRoutes.DETAIL, alert.detail());
                producer.sendBodyAndHeaders(AlertRoutes.ALERT, null, headers);
            } else {
                headers.put(AlertRoutes.SUBJECT, finding.condition() + " is clear again");
                headers.put(AlertRoutes.DETAIL, "checked at " + now);
                producer.sendBodyAndHeaders(AlertRoutes.CLEAR, null, headers);
            }
        }
        return findings;
    }

    /**
     * Each store of the job with an object size limit, against the job's newest backup (its whole stored size: no
     * artefact of it is larger). Sources that split their data into small objects (a snapshot's packs) are never near it.
     */
    private List<Finding> objectLimitFindings(JobSpec job) {
        List<Store> limited = job.stores().stream().filter(stores::contains).map(stores::get)
                .filter(store -> store.largestObject().isPresent()).toList();
        if (limited.isEmpty() || jobs.capability(job, com.mking.backup.source.SharedData.class).isPresent()) {
            return List.of();
        }
        Long stored = catalog.list(job.name(), null, "success", 1).stream().findFirst().map(CatalogEntry::storedSize)
                .orElse(null);
        if (stored == null) {
            return List.of();
        }
        return limited.stream().map(store -> new Finding("object-limit:" + job.name() + ":" + store.name(),
                Checks.objectLimit(job.name(), store.name(), stored, store.largestObject().get()))).toList();
    }

    /**
     * The plan's service checks: every PostgreSQL source answers, and every URL in
     * {@code mking.monitor.http-checks} ({@code name=url,...}, e.g. the web app's health page) answers 2xx.
     */
    private List<Finding> connectivityFindings() {
        List<Finding> findings = new ArrayList<>();
        for (JobSpec job : jobs.jobs()) {
            Optional<com.mking.backup.source.Probe> probe = jobs.capability(job, com.mking.backup.source.Probe.class);
            if (probe.isPresent()) {
                Optional<String> failure;
                try {
                    failure = probe.get().unreachable(job);
                } catch (RuntimeException e) {
                    failure = Optional.of(String.valueOf(e.getMessage()));
                }
                findings.add(new Finding("source:" + job.name(), Checks.unreachable("source:" + job.name(),
                        probe.get().subject(job), failure)));
            }
        }
        for (String check : settings.list("mking.monitor.http-checks", "")) {
            String[] parts = check.split("=", 2);
            if (parts.length != 2) {
                continue;
            }
            Optional<String> failure;
            try {
                var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(parts[1].trim())).timeout(Duration.ofSeconds(10)).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding());
                failure = response.statusCode() / 100 == 2 ? Optional.empty() : Optional.of("HTTP " + response.statusCode());
            } catch (Exception e) {
                failure = Optional.of(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            String name = parts[0].trim();
            findings.add(new Finding("service:" + name, Checks.unreachable("service:" + name, "service " + name, failure)));
        }
        return findings;
    }

    /** CPU, memory and the data directory's disk against the plan's limits (80 / 85 / 85 %). */
    private List<Finding> systemFindings() {
        List<Finding> findings = new ArrayList<>();
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        double cpu = os.getCpuLoad() * 100;
        double memory = memoryInUsePercent(os);
        double disk = Double.NaN;
        try {
            Files.createDirectories(settings.dataDir());
            FileStore store = Files.getFileStore(settings.dataDir());
            disk = 100.0 * (store.getTotalSpace() - store.getUsableSpace()) / store.getTotalSpace();
        } catch (IOException e) {
            LOG.warn("disk use of {} not measured: {}", settings.dataDir(), e.getMessage());
        }
        findings.add(new Finding("system:cpu", Checks.resource("cpu", cpu, settings.integer("mking.monitor.cpu-percent", 80))));
        findings.add(new Finding("system:memory", Checks.resource("memory", memory, settings.integer("mking.monitor.memory-percent", 85))));
        findings.add(new Finding("system:disk", Checks.resource("disk", disk, settings.integer("mking.monitor.disk-percent", 85))));
        return findings;
    }

    /**
     * Memory in use as the kernel counts it: total minus MemAvailable. The page cache is reclaimable, so
     * "free" memory alone would call a healthy host full (97 % while 21 GB were available).
     */
    static double memoryInUsePercent(com.sun.management.OperatingSystemMXBean os) {
        try {
            Optional<Long> available = Files.readAllLines(java.nio.file.Path.of("/proc/meminfo")).stream()
                    .filter(line -> line.startsWith("MemAvailable:"))
                    .map(line -> Long.parseLong(line.replaceAll("\\D+", "")) * 1024).findFirst();
            Optional<Long> total = Files.readAllLines(java.nio.file.Path.of("/proc/meminfo")).stream()
                    .filter(line -> line.startsWith("MemTotal:"))
                    .map(line -> Long.parseLong(line.replaceAll("\\D+", "")) * 1024).findFirst();
            if (available.isPresent() && total.isPresent()) {
                return Checks.memoryInUse(total.get(), available.get());
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("no /proc/meminfo ({}); using the JVM's view of free memory", e.getMessage());
        }
        return Checks.memoryInUse(os.getTotalMemorySize(), os.getFreeMemorySize());
    }

    /**
     * How long a job may go without success: its cron period plus an hour (a daily job: 25 h, as the plan
     * says), or {@code staleAfterHours} from the route file.
     */
    static Duration window(JobSpec job) {
        Optional<String> explicit = job.parameter("staleAfterHours");
        if (explicit.isPresent()) {
            return Duration.ofHours(Long.parseLong(explicit.get()));
        }
        try {
            CronExpression cron = new CronExpression(job.cron());
            Date first = cron.getNextValidTimeAfter(new Date());
            Date second = first == null ? null : cron.getNextValidTimeAfter(first);
            if (second != null) {
                return Duration.ofMillis(second.getTime() - first.getTime()).plusHours(1);
            }
        } catch (java.text.ParseException ignored) {
            // validated at start-up
        }
        return Duration.ofHours(25);
    }

    /**
     * Used and total bytes. With {@code mking.store.<name>.capacity-bytes} set, used is the size of the
     * store's objects against that capacity (a quota, or a bucket's budget); otherwise a local store
     * reports its filesystem and an S3 bucket its size with an unknown total.
     */
    private long[] usage(Store store) throws IOException {
        Optional<String> capacity = settings.optional("mking.store." + store.name() + ".capacity-bytes");
        if (capacity.isEmpty() && store.localDirectory().isPresent()) {
            Files.createDirectories(store.localDirectory().get());
            FileStore fileStore = Files.getFileStore(store.localDirectory().get());
            return new long[]{fileStore.getTotalSpace() - fileStore.getUsableSpace(), fileStore.getTotalSpace()};
        }
        Optional<long[]> remote = capacity.isEmpty() ? store.filesystemUsage() : Optional.empty();
        if (remote.isPresent()) {
            return remote.get();
        }
        long used = 0;
        for (String key : store.list("")) {
            used += store.size(key).orElse(0L);
        }
        return new long[]{used, capacity.map(Long::parseLong).orElse(0L)};
    }

    private void record(String store, long used, long total, int warning, int critical) {
        Map<String, Object> row = new HashMap<>();
        row.put("path", store);
        row.put("total", total);
        row.put("used", used);
        row.put("available", Math.max(0, total - used));
        row.put("percent", total <= 0 ? 0.0 : Math.round(10000.0 * used / total) / 100.0);
        row.put("warning", warning);
        row.put("critical", critical);
        row.put("alert", Checks.storage(store, used, total, warning, critical).isPresent());
        producer.sendBody(STORAGE_RECORDED, row);
    }
}
