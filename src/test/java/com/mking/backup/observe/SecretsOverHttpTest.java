package com.mking.backup.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mking.backup.cli.BackupRuntime;
import com.mking.backup.job.BackupRun;
import com.mking.backup.job.BackupRunner;
import com.mking.backup.route.AlertRoutes;
import com.mking.backup.route.BackupRoutes;
import com.mking.backup.support.TestCluster;
import com.mking.backup.support.TestDatabases;
import com.mking.backup.support.TestInstallation;
import com.mking.backup.support.TestS3;
import com.mking.backup.source.postgres.wal.WalPushEndpoint;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No secret is readable over the daemon's unauthenticated HTTP endpoint: every attribute of every MBean
 * Jolokia lists, health (full details), info and metrics are read and searched for every configured
 * secret (raw, URL-encoded and JSON-escaped). The daemon's log output from start-up, a backup, failing
 * and working alert channels and WAL pushes is searched too.
 *
 * <p>Secrets: the Slack webhook URL, the S3 store's access and secret key, the audit database password,
 * the WAL push token, an SMTP password a user put into a mail route, the passwords of PostgreSQL jobs
 * (passwordEnv and passwordFile), and one secret given as a {@code -D} system property.
 */
class SecretsOverHttpTest {

    /** The environment variables are set by surefire (pom.xml), as an operator would export them. */
    private static final String PG_PASSWORD_ENV = "MKING_TEST_PG_PASSWORD";
    private static final String SMTP_PASSWORD_ENV = "MKING_TEST_SMTP_PASSWORD";

    private static final String SLACK_TOKEN = "SECRETTOKENslackHook4f9a2c";
    private static final String AUDIT_PASSWORD = "auditPw+7c/41=e2";  // the machine's server trusts; any value works
    private static final String WAL_TOKEN = "walTok-5b9d30e7Qx";
    private static final String SYSTEM_PROPERTY_SECRET = "sysPropSecret-91be0c";
    private static final String PG_FILE_PASSWORD = "pgFilePw-2d7e41Zt";

    private final ObjectMapper json = new ObjectMapper();
    private final List<String> slackPosts = new CopyOnWriteArrayList<>();
    private final AtomicInteger slackStatus = new AtomicInteger(500);
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;
    private HttpServer slack;
    private TestS3 s3;
    private TestInstallation installation;
    private BackupRuntime daemon;
    private String database;
    private int port;
    private int closedPort;
    private Map<String, String> secrets;
    private String walReplies = "";

    @BeforeEach
    void setUp() throws Exception {
        String pgEnvPassword = System.getenv(PG_PASSWORD_ENV);
        String smtpPassword = System.getenv(SMTP_PASSWORD_ENV);
        assertThat(pgEnvPassword).as(PG_PASSWORD_ENV + " (set by surefire in pom.xml)").isNotBlank();
        assertThat(smtpPassword).as(SMTP_PASSWORD_ENV + " (set by surefire in pom.xml)").isNotBlank();

        slack = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        slack.createContext("/services/T000/B000/" + SLACK_TOKEN, exchange -> {
            slackPosts.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(slackStatus.get(), -1);
            exchange.close();
        });
        slack.start();
        String webhook = "http://127.0.0.1:" + slack.getAddress().getPort() + "/services/T000/B000/" + SLACK_TOKEN;
        s3 = new TestS3();
        port = TestCluster.freePort();
        closedPort = TestCluster.freePort();
        database = TestDatabases.uniqueName("secrets");
        TestDatabases.create(database);

        secrets = new LinkedHashMap<>();
        secrets.put("slack webhook token", SLACK_TOKEN);
        secrets.put("S3 access key", TestS3.ACCESS_KEY);
        secrets.put("S3 secret key", TestS3.SECRET_KEY);
        secrets.put("audit password", AUDIT_PASSWORD);
        secrets.put("WAL token", WAL_TOKEN);
        secrets.put("SMTP password", smtpPassword);
        secrets.put("pg passwordEnv password", pgEnvPassword);
        secrets.put("pg passwordFile password", PG_FILE_PASSWORD);
        secrets.put("-D system property secret", SYSTEM_PROPERTY_SECRET);

        installation = new TestInstallation()
                .set("camel.management.port", Integer.toString(port))
                .set("mking.audit.password", AUDIT_PASSWORD)
                .set("mking.audit.pool-size", "2")
                .set("mking.wal.token", WAL_TOKEN)
                .set("mking.stores", "local,minio")
                .withS3(s3, "secrets")
                .set("mking.alert.slack.enabled", "true")
                .set("mking.alert.slack.webhook-url", webhook)
                .set("mking.alert.mail.enabled", "true")
                .set("mking.alert.mail.host", "127.0.0.1")
                .set("mking.alert.mail.port", Integer.toString(closedPort))
                ;
        Path passwordFile = installation.home().resolve("pg.password");
        Files.writeString(passwordFile, PG_FILE_PASSWORD + "\n");
        Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(installation.routes().resolve("jobs.yaml"), """
                - templatedRoute:
                    routeTemplateRef: pg-logical
                    parameters:
                      - {name: job, value: envjob}
                      - {name: cron, value: "0 0 3 * * ?"}
                      - {name: database, value: %s}
                      - {name: stores, value: "local,minio"}
                      - {name: passwordEnv, value: %s}
                - templatedRoute:
                    routeTemplateRef: pg-logical
                    parameters:
                      - {name: job, value: filejob}
                      - {name: cron, value: "0 0 4 * * ?"}
                      - {name: database, value: %s}
                      - {name: passwordFile, value: "%s"}
                """.formatted(database, PG_PASSWORD_ENV, database, passwordFile));
        // an extra channel of a user whose mail server wants a login (the built-in one takes mking.alert.mail.password)
        Files.writeString(installation.routes().resolve("user-mail.yaml"), """
                - route:
                    id: alert-channel-user-mail
                    from:
                      uri: direct:alert-channel-user-mail
                      steps:
                        - removeHeaders:
                            pattern: "mking*"
                        - to:
                            uri: "smtp://127.0.0.1:%d"
                            parameters:
                              from: mking-backup@localhost
                              to: ops@localhost
                              username: alerts
                              password: "RAW({{env:%s}})"
                """.formatted(closedPort, SMTP_PASSWORD_ENV));
        // a Slack channel that puts the webhook into the endpoint URI, as a user's route (or a Java route) may
        Files.writeString(installation.routes().resolve("user-slack.yaml"), """
                - route:
                    id: alert-channel-user-slack
                    from:
                      uri: direct:alert-channel-user-slack
                      steps:
                        - setBody:
                            simple: "${header.mkingAlertSubject}"
                        - to:
                            uri: "slack:#other"
                            parameters:
                              webhookUrl: "{{mking.alert.slack.webhook-url}}"
                """);
        // the shipped channel routes, whatever files define them
        try (var shipped = Files.list(Path.of("routes"))) {
            for (Path file : shipped.filter(f -> f.getFileName().toString().matches("(alerts|reports).*\\.yaml")).toList()) {
                Files.copy(file, installation.routes().resolve(file.getFileName()));
            }
        }

        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(new TestInstallation.Tee(log, originalOut), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new TestInstallation.Tee(log, originalErr), true, StandardCharsets.UTF_8));
        System.setProperty("mking.alert.mail.password", SYSTEM_PROPERTY_SECRET); // an SMTP password given as -D
        daemon = installation.runtime(true);
        daemon.startObservability();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (daemon != null) {
                daemon.close();
            }
        } finally {
            System.clearProperty("mking.alert.mail.password");
            System.setOut(originalOut);
            System.setErr(originalErr);
            slack.stop(0);
            s3.close();
            installation.close();
            TestDatabases.dropAll(database);
        }
    }

    @Test
    void noSecretIsReadableOverHttpOrInTheLog() throws Exception {
        exerciseEverySecret();

        Map<String, String> leaks = new LinkedHashMap<>();
        // every attribute of every MBean Jolokia can see
        JsonNode names = json.readTree(get("/observe/jolokia/search/*:*").body()).get("value");
        assertThat(names.size()).as("MBeans listed by Jolokia").isGreaterThan(50);
        Set<String> mbeans = new LinkedHashSet<>();
        names.forEach(name -> mbeans.add(name.asText()));
        for (String mbean : mbeans) {
            findSecrets("MBean name " + mbean, mbean, leaks);
            ObjectNode request = json.createObjectNode().put("type", "read").put("mbean", mbean);
            request.putObject("config").put("ignoreErrors", "true").put("maxDepth", "12")
                    .put("maxCollectionSize", "0").put("maxObjects", "0").put("serializeException", "true");
            String body = post("/observe/jolokia", json.writeValueAsString(request)).body();
            JsonNode value = json.readTree(body).get("value");
            if (value != null && value.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> attributes = value.fields(); attributes.hasNext(); ) {
                    Map.Entry<String, JsonNode> attribute = attributes.next();
                    findSecrets(mbean + " / " + attribute.getKey(), attribute.getValue().toString(), leaks);
                }
            } else {
                findSecrets(mbean + " (whole read)", body, leaks);
            }
        }
        ObjectNode uptime = json.createObjectNode().put("type", "read").put("mbean", "java.lang:type=Runtime").put("attribute", "Uptime");
        assertThat(json.readTree(post("/observe/jolokia", json.writeValueAsString(uptime)).body()).path("status").asInt())
                .as("the JVM's other attributes stay readable for Hawtio").isEqualTo(200);
        findSecrets("jolokia list", get("/observe/jolokia/list").body(), leaks);
        findSecrets("jolokia version", get("/observe/jolokia/version").body(), leaks);
        for (String path : List.of("/observe/health", "/observe/health?exposureLevel=full", "/observe/health/live",
                "/observe/health/ready?exposureLevel=full", "/observe/info", "/observe/metrics", "/q/dev", "/observe/dev")) {
            HttpResponse<String> response = get(path);
            findSecrets("GET " + path, response.body() + response.headers().map(), leaks);
        }
        findSecrets("WAL push replies", walReplies, leaks);
        String output = log.toString(StandardCharsets.UTF_8);
        assertThat(output).as("the daemon's log is captured").contains("ALERT test alert secrets-test-1");
        findSecrets("daemon log output", output, leaks);

        assertThat(leaks).as("places where a secret is readable").isEmpty();
        assertThat(mbeans).as("the user's Slack endpoint is listed, its webhook masked")
                .anyMatch(name -> name.contains("slack://%23other\\?webhookUrl=xxxxxx"));
    }

    /** Makes the daemon use every secret once, so that lazily created endpoints and error paths exist. */
    private void exerciseEverySecret() throws Exception {
        BackupRun run = daemon.producer().send(BackupRoutes.RUN, e -> e.getMessage().setHeader(BackupRunner.JOB_HEADER, "envjob"))
                .getProperty(BackupRunner.RUN, BackupRun.class);
        assertThat(run.status()).as(log.toString(StandardCharsets.UTF_8)).isEqualTo(BackupRun.Status.SUCCESS);
        daemon.bean(JobMetrics.class).refresh();

        // first alert: Slack answers 500 and the mail servers are down, so every channel fails
        alert("secrets-test-1");
        assertThat(slackPosts).as("the shipped Slack channel and the user's").hasSize(2);
        // second alert: Slack works
        slackStatus.set(200);
        alert("secrets-test-2");
        assertThat(slackPosts).hasSize(4);
        // the daily report's Slack summary, through the shipped route
        daemon.producer().send("direct:report-slack", e -> e.getMessage().setHeader("mkingReportSummary", "report summary"));
        assertThat(slackPosts).hasSize(5);
        assertThat(slackPosts.get(4)).contains("report summary");

        HttpResponse<String> wrongToken = put("/wal/envjob/000000010000000000000001", "not-the-token");
        assertThat(wrongToken.statusCode()).isEqualTo(403);
        HttpResponse<String> rightToken = put("/wal/envjob/000000010000000000000001", WAL_TOKEN);
        assertThat(rightToken.statusCode()).as(rightToken.body()).isNotEqualTo(403);
        walReplies = wrongToken.body() + rightToken.body();
    }

    private void alert(String condition) {
        daemon.producer().send(AlertRoutes.ALERT, e -> {
            e.getMessage().setHeader(AlertRoutes.CONDITION, condition);
            e.getMessage().setHeader(AlertRoutes.LEVEL, "DANGER");
            e.getMessage().setHeader(AlertRoutes.SUBJECT, "test alert " + condition);
            e.getMessage().setHeader(AlertRoutes.DETAIL, "detail");
        });
    }

    private void findSecrets(String where, String text, Map<String, String> leaks) {
        String unescaped = text.replace("\\/", "/").replace("\\\"", "\"");
        for (Map.Entry<String, String> secret : secrets.entrySet()) {
            for (String form : forms(secret.getValue())) {
                if (text.contains(form) || unescaped.contains(form)) {
                    leaks.merge(where, secret.getKey(), (a, b) -> a.contains(b) ? a : a + ", " + b);
                    int at = Math.max(unescaped.indexOf(form), 0);
                    originalErr.println("LEAK " + secret.getKey() + " in " + where + ": ..."
                            + unescaped.substring(Math.max(0, at - 120), Math.min(unescaped.length(), at + form.length() + 40)) + "...");
                    break;
                }
            }
        }
    }

    private static List<String> forms(String secret) {
        String encoded = URLEncoder.encode(secret, StandardCharsets.UTF_8);
        List<String> forms = new ArrayList<>(List.of(secret, encoded, encoded.replace("+", "%20"),
                encoded.toLowerCase(), secret.replace("/", "\\/")));
        return forms.stream().distinct().toList();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http(HttpRequest.newBuilder(uri(path)).GET());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> put(String path, String token) throws Exception {
        return http(HttpRequest.newBuilder(uri(path)).header(WalPushEndpoint.TOKEN_HEADER, token)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[1024])));
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static HttpResponse<String> http(HttpRequest.Builder request) throws Exception {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

}
