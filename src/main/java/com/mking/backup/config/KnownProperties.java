package com.mking.backup.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.mking.backup.config.PropertySpec.CRON;
import static com.mking.backup.config.PropertySpec.FLAG;
import static com.mking.backup.config.PropertySpec.PORT;
import static com.mking.backup.config.PropertySpec.TEXT;
import static com.mking.backup.config.PropertySpec.oneOf;
import static com.mking.backup.config.PropertySpec.whole;

/**
 * Every {@code mking.*} setting, with its type, default, meaning and an example; store settings are given
 * per store name ({@code mking.store.<name>.*}). Keys that route files use as placeholders
 * ({@code {{mking.pg.host:127.0.0.1}}}) are settings too.
 */
public final class KnownProperties {

    private static final Pattern STORE_KEY = Pattern.compile("mking\\.store\\.([A-Za-z0-9_-]+)\\.(.+)");

    private static final List<PropertySpec> FIXED = List.of(
            spec("mking.audit.url", TEXT, "", "PostgreSQL server of the audit tables and the Quartz job store; empty: embedded", "jdbc:postgresql://db:5432"),
            spec("mking.audit.database", TEXT, "mking_backup", "audit database, created if missing", "mking_backup"),
            spec("mking.audit.user", TEXT, "postgres", "audit database role", "backup_admin"),
            spec("mking.audit.password", TEXT, "", "audit role's password (a secret: set MKING_AUDIT_PASSWORD)", "-"),
            spec("mking.audit.embedded-port", PORT, "54329", "loopback port of the embedded audit PostgreSQL", "54329"),
            spec("mking.audit.pool-size", whole(1, 100), "8", "audit connection pool size", "8"),
            spec("mking.audit.connection-timeout-ms", whole(250, 600_000), "5000", "wait for an audit connection", "5000"),
            spec("mking.data-dir", TEXT, "data", "embedded audit database, keys, known hosts, git mirrors, pid file", "/var/lib/mking-backup"),
            spec("mking.stores", TEXT, "local", "names of the stores jobs may use", "local,minio"),
            spec("mking.pipeline.compression", oneOf("zstd", "gzip", "none"), "zstd", "compression of stored data", "zstd"),
            spec("mking.pipeline.compression-level", whole(1, 19), "1", "1-19 for zstd, 1-9 for gzip", "1"),
            spec("mking.pipeline.compression-threads", whole(1, 64), "2", "zstd worker threads beside the one reading and encrypting", "2"),
            spec("mking.pipeline.verify-after-write", FLAG, "true", "read every copy back (decrypted, both SHA-256s) before it counts", "true"),
            spec("mking.encryption.key-dir", TEXT, "", "directory of <key-id>.key files", "keys"),
            spec("mking.encryption.key-id", TEXT, "", "key for new backups; empty: not encrypted", "2026-11"),
            spec("mking.tools.postgresql-bin", TEXT, "", "directory of pg_dump, pg_restore, psql, pg_ctl", "/usr/lib/postgresql/15/bin"),
            spec("mking.scheduler.threads", whole(1, 64), "4", "Quartz worker threads", "4"),
            spec("mking.wal.token", TEXT, "", "shared secret of WAL pushes (X-Mking-Token; set MKING_WAL_TOKEN)", "-"),
            spec("mking.wal.check-period-seconds", whole(5, 86_400), "60", "how often the RPO lag is measured", "60"),
            spec("mking.wal.max-lag-seconds", whole(1, 31_536_000), "300", "RPO lag above which an alert is raised", "300"),
            spec("mking.wal.concurrent-pushes", whole(1, 64), "4", "WAL pushes handled at once; more get 503 and are retried", "4"),
            spec("mking.wal.upload-idle-timeout-seconds", whole(1, 3600), "60", "a WAL upload that sends nothing this long fails", "60"),
            spec("mking.verify.after-backup", FLAG, "true", "verify every copy right after each backup", "true"),
            spec("mking.verify.sample-cron", CRON, "0 30 5 * * ?", "daily verification sample", "0 30 5 * * ?"),
            spec("mking.verify.sample-percent", whole(1, 100), "15", "share of backups verified per sample", "15"),
            spec("mking.restore-test.cron", CRON, "0 0 6 ? * SUN", "restore tests", "0 0 6 ? * SUN"),
            spec("mking.retention.cron", CRON, "0 0 7 ? * SUN", "retention: each job's rules applied, the rest deleted", "0 0 7 ? * SUN"),
            spec("mking.retention.enabled", FLAG, "true", "whether the daemon prunes on mking.retention.cron", "false"),
            spec("mking.restore-test.dir", TEXT, "", "where scratch clusters of restore tests live", "/var/tmp/mking-restore-tests"),
            spec("mking.report.cron", CRON, "0 0 9 * * ?", "daily report", "0 0 9 * * ?"),
            spec("mking.monitor.period-seconds", whole(10, 86_400), "300", "monitoring pass", "300"),
            spec("mking.monitor.storage-warning-percent", whole(1, 100), "80", "store usage warning", "80"),
            spec("mking.monitor.storage-critical-percent", whole(1, 100), "90", "store usage critical", "90"),
            spec("mking.monitor.cpu-percent", whole(1, 100), "80", "host CPU limit", "80"),
            spec("mking.monitor.memory-percent", whole(1, 100), "85", "host memory limit (of available memory)", "85"),
            spec("mking.monitor.disk-percent", whole(1, 100), "85", "data directory disk limit", "85"),
            spec("mking.monitor.http-checks", TEXT, "", "services to check, name=url,...", "web=https://app/health"),
            spec("mking.alert.quiet-period-minutes", whole(0, 525_600), "240", "an open condition alerts again after this long", "240"),
            spec("mking.alert.mail.enabled", FLAG, "false", "mail channel", "true"),
            spec("mking.alert.mail.host", TEXT, "localhost", "SMTP host", "smtp.internal"),
            spec("mking.alert.mail.port", PORT, "25", "SMTP port", "587"),
            spec("mking.alert.mail.from", TEXT, "mking-backup@localhost", "sender", "backup@example.com"),
            spec("mking.alert.mail.to", TEXT, "ops@localhost", "recipients", "ops@example.com"),
            spec("mking.alert.mail.username", TEXT, "", "SMTP login", "alerts"),
            spec("mking.alert.mail.password", TEXT, "", "SMTP password (a secret: set MKING_ALERT_MAIL_PASSWORD)", "-"),
            spec("mking.alert.slack.enabled", FLAG, "false", "Slack channel", "true"),
            spec("mking.alert.slack.channel", TEXT, "#ops", "Slack channel name", "#backups"),
            spec("mking.alert.slack.webhook-url", TEXT, "", "incoming webhook (a secret: set MKING_ALERT_SLACK_WEBHOOK_URL)", "-"),
            // set by the runtime itself
            spec("mking.home", TEXT, "", "installation directory (-Dmking.home or MKING_HOME)", "/opt/mking-backup"),
            spec("mking.routes-dir", TEXT, "routes", "directory of the route files (--routes)", "routes"),
            spec("mking.scheduler.enabled", FLAG, "true", "set by the runtime: only the daemon schedules", "true"));

    /** Settings of one store, by key after {@code mking.store.<name>.}. */
    private static final Map<String, PropertySpec> STORE = storeSpecs();

    /** Camel settings whose values are checked here (Camel's own messages do not name them). */
    private static final Map<String, PropertySpec> CAMEL = Map.of(
            "camel.management.port", spec("camel.management.port", PORT, "8080", "daemon's HTTP port", "8080"));

    private KnownProperties() {
    }

    private static PropertySpec spec(String name, PropertySpec.Type type, String defaultValue, String description, String example) {
        return new PropertySpec(name, type, defaultValue, description, example);
    }

    private static Map<String, PropertySpec> storeSpecs() {
        Map<String, PropertySpec> specs = new LinkedHashMap<>();
        specs.put("type", spec("type", oneOf("local", "minio", "s3", "sftp"), "(the name)",
                "local directory, S3 bucket or a backup server over SFTP", "minio"));
        specs.put("path", spec("path", TEXT, "data/backups", "local store directory; sftp: the base directory on the server",
                "/backups"));
        specs.put("host", spec("host", TEXT, "", "sftp: the backup server", "backup-server"));
        specs.put("port", spec("port", PORT, "22", "sftp: its SSH port", "22"));
        specs.put("user", spec("user", TEXT, "", "sftp: the SSH user", "backup"));
        specs.put("key-file", spec("key-file", TEXT, "", "sftp: private key file (its .pub in the server's authorized_keys)",
                "/etc/mking-backup/id_ed25519"));
        specs.put("key-passphrase-file", spec("key-passphrase-file", TEXT, "", "sftp: file holding the key's passphrase",
                "/etc/mking-backup/id_ed25519.pass"));
        specs.put("known-hosts", spec("known-hosts", TEXT, "<data-dir>/ssh_known_hosts", "sftp: pinned host keys",
                "/etc/mking-backup/known_hosts"));
        specs.put("trust-on-first-use", spec("trust-on-first-use", FLAG, "false", "sftp: pin an unknown host's key", "false"));
        specs.put("server-checksum", spec("server-checksum", FLAG, "true", "sftp: sha256sum on the server checks copies",
                "true"));
        specs.put("append-only", spec("append-only", FLAG, "false", "sftp: the key can write but not delete (a forced "
                + "sftp-server -P ...); prune this store from a privileged configuration", "true"));
        specs.put("attempts", spec("attempts", whole(1, 100), "5", "tries of a request on transient errors (backoff 0.5 s "
                + "doubling)", "5"));
        specs.put("parallel-parts", spec("parallel-parts", whole(1, 64), "2", "S3: parts sent at once "
                + "(a part-size-mib buffer each, shared by the store's uploads; more for a distant S3 with memory to spare)", "4"));
        specs.put("part-size-mib", spec("part-size-mib", whole(5, 512), "16", "S3: size of an upload's parts, which sets the "
                + "largest object (S3 takes 10,000 parts: 16 MiB, 156 GiB; 64 MiB, 625 GiB) and the store's upload memory "
                + "(parallel-parts x part-size-mib)", "64"));
        specs.put("object-lock", spec("object-lock", oneOf("none", "governance", "compliance"), "none",
                "S3: write every object with this object lock (the bucket must have object lock enabled)", "governance"));
        specs.put("object-lock-days", spec("object-lock-days", whole(1, 36_500), "", "S3: days each object stays locked",
                "7"));
        specs.put("endpoint", spec("endpoint", TEXT, "", "S3 URL", "http://minio:9000"));
        specs.put("bucket", spec("bucket", TEXT, "mking-backup", "S3 bucket", "mking-backup"));
        specs.put("region", spec("region", TEXT, "us-east-1", "S3 region", "us-east-1"));
        specs.put("access-key", spec("access-key", TEXT, "", "S3 access key (set MKING_STORE_<NAME>_ACCESS_KEY)", "-"));
        specs.put("secret-key", spec("secret-key", TEXT, "", "S3 secret key (set MKING_STORE_<NAME>_SECRET_KEY)", "-"));
        specs.put("capacity-bytes", spec("capacity-bytes", whole(1, Long.MAX_VALUE), "", "capacity to measure usage against", "1099511627776"));
        return specs;
    }

    public static List<PropertySpec> fixed() {
        return FIXED;
    }

    public static Map<String, PropertySpec> storeSettings() {
        return STORE;
    }

    /** The spec of a key, when it is a known one. */
    public static Optional<PropertySpec> find(String key) {
        if (CAMEL.containsKey(key)) {
            return Optional.of(CAMEL.get(key));
        }
        Matcher store = STORE_KEY.matcher(key);
        if (store.matches()) {
            PropertySpec spec = STORE.get(store.group(2));
            return spec == null ? Optional.empty() : Optional.of(new PropertySpec(key, spec.type(), spec.defaultValue(),
                    spec.description(), spec.example()));
        }
        return FIXED.stream().filter(spec -> spec.name().equals(key)).findFirst();
    }

    /** Every known key, with store keys spelled out for the given store names (to suggest the closest one). */
    public static List<String> names(List<String> storeNames) {
        List<String> names = new ArrayList<>(FIXED.stream().map(PropertySpec::name).toList());
        for (String store : storeNames) {
            STORE.keySet().forEach(suffix -> names.add("mking.store." + store + "." + suffix));
        }
        return names;
    }
}
