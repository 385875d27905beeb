package com.mking.backup.store;

import com.mking.backup.config.ConfigException;
import com.mking.backup.config.Settings;
import io.minio.MinioClient;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Supplier;
import java.util.Map;

/**
 * The stores defined in properties: {@code mking.stores=local,minio} names them, and
 * {@code mking.store.<name>.type} (local | minio) with the type's own keys defines each. Jobs pick stores
 * by name in the route files.
 */
public final class StoreRegistry {

    private final Map<String, Store> stores = new LinkedHashMap<>();

    /** Each store is counted ({@link MeteredStore}) for the {@code mking_store_*} metrics. */
    public StoreRegistry(List<Store> stores) {
        stores.forEach(store -> this.stores.put(store.name(), new MeteredStore(store)));
    }

    /** Each store's idempotent operations are retried on its transient failures ({@link RetryingStore}). */
    private static StoreRegistry retrying(List<Store> stores, Settings settings) {
        return new StoreRegistry(stores.stream().<Store>map(store -> new RetryingStore(store,
                attempts(settings, "mking.store." + store.name() + "."), java.time.Duration.ofMillis(500))).toList());
    }

    /** {@code mking.store.<name>.attempts}: tries of each request on transient errors, 5 unless set. */
    private static int attempts(Settings settings, String prefix) {
        int attempts = settings.integer(prefix + "attempts", 5);
        if (attempts < 1) {
            throw new ConfigException(prefix + "attempts", attempts + " attempts would never try", "use 1 or more (5)");
        }
        return attempts;
    }

    public static StoreRegistry fromSettings(Settings settings, CamelContext context) {
        ProducerTemplate producer = context.createProducerTemplate();
        List<Store> stores = new ArrayList<>();
        for (String name : settings.list("mking.stores", "local")) {
            String prefix = "mking.store." + name + ".";
            String type = settings.get(prefix + "type", name);
            switch (type) {
                case "local" -> stores.add(new LocalStore(name, settings.path(prefix + "path", "data/backups"), producer));
                case "minio", "s3" -> stores.add(minio(settings, context, name, prefix, producer));
                case "sftp" -> {
                    SftpStore sftp = sftp(settings, name, prefix);
                    addStoppedWithCamel(context, sftp);
                    stores.add(sftp);
                }
                default -> throw settings.optional(prefix + "type").isPresent()
                        ? new ConfigException(prefix + "type", "unknown store type '" + type + "'", "use local, minio or sftp")
                        : new ConfigException("mking.stores", "names store '" + name + "', which has no " + prefix + "type",
                        com.mking.backup.config.ConfigCheck.closest(name, List.of("local", "minio", "sftp"))
                                .map(c -> "did you mean '" + c + "'? Or set ").orElse("set ") + prefix + "type=local|minio|sftp");
            }
        }
        if (stores.isEmpty()) {
            throw new ConfigException("mking.stores", "no store defined", "name at least one store, e.g. mking.stores=local");
        }
        return retrying(stores, settings);
    }

    private static MinioStore minio(Settings settings, CamelContext context, String name, String prefix,
                                    ProducerTemplate producer) {
        String endpoint = settings.required(prefix + "endpoint", "set the S3/MinIO URL, e.g. http://minio:9000");
        String bucket = settings.get(prefix + "bucket", "mking-backup");
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new ConfigException(prefix + "bucket", "'" + bucket + "' is not a valid bucket name",
                    "use 3-63 lowercase letters, digits, dots or hyphens");
        }
        String accessKey = settings.required(prefix + "access-key", "set it, or the environment variable "
                + envName(prefix + "access-key"));
        String secretKey = settings.required(prefix + "secret-key", "set the environment variable " + envName(prefix + "secret-key"));
        String region = settings.get(prefix + "region", "us-east-1");
        requireHttpUrl(prefix + "endpoint", endpoint);
        // made on first use (making them costs ~0.4 s of start-up that catalog commands never need)
        Supplier<okhttp3.OkHttpClient> http = memoized(() -> httpClient(endpoint));
        Supplier<MinioClient> client = memoized(() -> MinioClient.builder().credentials(accessKey, secretKey).region(region)
                .endpoint(endpoint).httpClient(http.get()).build());
        Supplier<io.minio.MinioAsyncClient> async = memoized(() -> io.minio.MinioAsyncClient.builder()
                .credentials(accessKey, secretKey).region(region).endpoint(endpoint).httpClient(http.get()).build());
        context.getRegistry().bind(MinioStores.clientBeanName(name), MinioClient.class, client::get);
        MinioStore.Parts parts = parts(settings, prefix, Runtime.getRuntime().maxMemory());
        return new MinioStore(name, client, async, bucket, endpoint, producer, parts, attempts(settings, prefix),
                java.time.Duration.ofMillis(500), objectLock(settings, prefix));
    }

    static final int MAX_PARALLEL_PARTS = 64;

    /**
     * The HTTP client minio makes (its timeouts, HTTP/1.1, SSL_CERT_FILE), one for both of a store's clients: minio's
     * own loads the JDK's trust store for each, ~0.2 CPU-s apiece at start. A plain-http endpoint's has no TLS at all,
     * and okhttp's limit of 5 requests at once per host is lifted, which queued reads behind parallel parts and held
     * parts beyond 5 back.
     */
    static okhttp3.OkHttpClient httpClient(String endpoint) {
        okhttp3.Dispatcher dispatcher = new okhttp3.Dispatcher();
        dispatcher.setMaxRequestsPerHost(MAX_PARALLEL_PARTS + 8);
        dispatcher.setMaxRequests(MAX_PARALLEL_PARTS + 8);
        long timeout = java.time.Duration.ofMinutes(5).toMillis();
        if (endpoint.regionMatches(true, 0, "http://", 0, 7)) {
            return new okhttp3.OkHttpClient.Builder().dispatcher(dispatcher)
                    .connectTimeout(timeout, java.util.concurrent.TimeUnit.MILLISECONDS)
                    .writeTimeout(timeout, java.util.concurrent.TimeUnit.MILLISECONDS)
                    .readTimeout(timeout, java.util.concurrent.TimeUnit.MILLISECONDS)
                    .protocols(List.of(okhttp3.Protocol.HTTP_1_1)).connectionSpecs(List.of(okhttp3.ConnectionSpec.CLEARTEXT)).build();
        }
        return io.minio.http.HttpUtils.newDefaultHttpClient(timeout, timeout, timeout).newBuilder().dispatcher(dispatcher).build();
    }

    /**
     * {@code part-size-mib} (16: objects up to 156 GiB) and {@code parallel-parts} (2); their buffers must leave most of
     * the heap ({@code maxHeap}) to the rest of a backup, or a large upload would fail for memory mid-way.
     */
    static MinioStore.Parts parts(Settings settings, String prefix, long maxHeap) {
        int parallel = settings.integer(prefix + "parallel-parts", MinioStore.Parts.DEFAULT_PARALLEL);
        if (parallel < 1 || parallel > MAX_PARALLEL_PARTS) {
            throw new ConfigException(prefix + "parallel-parts", parallel + " parts at once is out of range",
                    "use 1-" + MAX_PARALLEL_PARTS + " (" + MinioStore.Parts.DEFAULT_PARALLEL + "; each holds a part-size-mib buffer while it is sent)");
        }
        int sizeMiB = settings.integer(prefix + "part-size-mib", MinioStore.Parts.DEFAULT_SIZE_MIB);
        if (sizeMiB < 5 || sizeMiB > 512) {
            throw new ConfigException(prefix + "part-size-mib", sizeMiB + " MiB parts are out of range",
                    "use 5-512 (S3 takes parts of 5 MiB and more; " + MinioStore.Parts.DEFAULT_SIZE_MIB
                            + ": objects up to 156 GiB, 10,000 parts)");
        }
        MinioStore.Parts parts = MinioStore.Parts.ofMiB(sizeMiB, parallel);
        if (parts.memory() > maxHeap / 2) {
            throw new ConfigException(prefix + "part-size-mib", parallel + " parts of " + sizeMiB + " MiB need "
                    + (parts.memory() >> 20) + " MiB, more than half of the " + (maxHeap >> 20) + " MiB heap",
                    "lower part-size-mib or parallel-parts, or give the JVM more heap (MKING_JAVA_OPTS=-Xmx"
                            + Math.max(512, 4 * (parts.memory() >> 20)) + "m)");
        }
        return parts;
    }

    /** {@code object-lock} (none | governance | compliance) and {@code object-lock-days}, required with a lock. */
    private static MinioStore.ObjectLock objectLock(Settings settings, String prefix) {
        String mode = settings.get(prefix + "object-lock", "none").trim().toLowerCase(java.util.Locale.ROOT);
        if (mode.equals("none")) {
            return null;
        }
        if (!mode.equals("governance") && !mode.equals("compliance")) {
            throw new ConfigException(prefix + "object-lock", "'" + mode + "' is not an object lock mode",
                    "use none, governance (a privileged user can lift it) or compliance (no one can)");
        }
        int days = settings.integer(prefix + "object-lock-days", 0);
        if (days < 1 || days > 36_500) {
            throw new ConfigException(prefix + "object-lock-days", days < 1 ? "is required with an object lock" : days + " days is out of range",
                    "set the days each backup stays locked, 1-36500; at most the time your retention keeps the youngest "
                            + "backups (keepDaily=7: 7), or prune keeps them longer");
        }
        return new MinioStore.ObjectLock(io.minio.messages.RetentionMode.valueOf(mode.toUpperCase(java.util.Locale.ROOT)),
                java.time.Duration.ofDays(days));
    }

    /**
     * {@code mking.store.<name>.host}, {@code port} (22), {@code user}, {@code key-file}, {@code key-passphrase-file},
     * {@code known-hosts} (default {@code <data-dir>/ssh_known_hosts}), {@code trust-on-first-use} (false),
     * {@code path} (the base directory on the server), {@code server-checksum} (true), {@code attempts} (5),
     * {@code append-only} (false).
     */
    private static SftpStore sftp(Settings settings, String name, String prefix) {
        String host = settings.required(prefix + "host", "set the backup server's host name, e.g. backup-server");
        int port = settings.integer(prefix + "port", 22);
        if (port < 1 || port > 65535) {
            throw new ConfigException(prefix + "port", port + " is not a port", "use 1-65535 (22 for SSH)");
        }
        String user = settings.required(prefix + "user", "set the SSH user on the backup server, e.g. backup");
        java.nio.file.Path key = settings.path(prefix + "key-file", "");
        if (!java.nio.file.Files.isReadable(key) || java.nio.file.Files.isDirectory(key)) {
            throw new ConfigException(prefix + "key-file", "'" + key + "' is not a readable private key file",
                    "make one with ssh-keygen -t ed25519 -f " + key + " and add its .pub to the server's authorized_keys");
        }
        java.nio.file.Path passphrase = settings.optional(prefix + "key-passphrase-file").map(java.nio.file.Path::of).orElse(null);
        if (passphrase != null && !java.nio.file.Files.isReadable(passphrase)) {
            throw new ConfigException(prefix + "key-passphrase-file", "'" + passphrase + "' cannot be read",
                    "name a file holding the key's passphrase (mode 0600), or remove the setting for a key without one");
        }
        java.nio.file.Path knownHosts = settings.path(prefix + "known-hosts",
                settings.path("mking.data-dir", "data").resolve("ssh_known_hosts").toString());
        String path = settings.required(prefix + "path", "set the base directory on the server, e.g. /srv/backups/mking");
        int attempts = attempts(settings, prefix);
        return new SftpStore(name, new SftpStore.Settings(host, port, user, key, passphrase, knownHosts,
                settings.bool(prefix + "trust-on-first-use", false), path, settings.bool(prefix + "server-checksum", true),
                attempts, java.time.Duration.ofSeconds(30), settings.bool(prefix + "append-only", false)));
    }

    private static void addStoppedWithCamel(CamelContext context, SftpStore store) {
        try {
            context.addService(store, true, false);
        } catch (Exception e) {
            throw new IllegalStateException("cannot register store '" + store.name() + "' with Camel: " + e.getMessage(), e);
        }
    }

    private static void requireHttpUrl(String property, String value) {
        try {
            java.net.URI uri = new java.net.URI(value);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && (uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/")) && uri.getQuery() == null) {
                return;
            }
        } catch (java.net.URISyntaxException e) {
            // reported below
        }
        throw new ConfigException(property, "'" + value + "' is not a valid URL", "use http(s)://HOST:PORT");
    }

    private static <T> Supplier<T> memoized(Supplier<T> make) {
        return new Supplier<>() {
            private T made;

            @Override
            public synchronized T get() {
                if (made == null) {
                    made = make.get();
                }
                return made;
            }
        };
    }

    static String envName(String property) {
        return property.toUpperCase().replace('.', '_').replace('-', '_');
    }

    public Store get(String name) {
        Store store = stores.get(name);
        if (store == null) {
            throw new IllegalArgumentException("unknown store '" + name + "'; defined stores: " + String.join(", ", stores.keySet()));
        }
        return store;
    }

    /** The traffic of a store since start-up. */
    public MeteredStore metered(String name) {
        return (MeteredStore) get(name);
    }

    public boolean contains(String name) {
        return stores.containsKey(name);
    }

    public List<String> names() {
        return List.copyOf(stores.keySet());
    }
}
