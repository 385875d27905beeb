package com.mking.backup.cli;

import com.mking.backup.support.CliProcess;
import com.mking.backup.support.CliResult;
import com.mking.backup.support.TestCluster;
import com.mking.backup.support.TestDatabases;
import com.mking.backup.support.TestInstallation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The daemon and the CLI as separate processes, in the orders operators start and stop them: a second
 * daemon on a taken port, a run started before the daemon on the embedded audit database, two daemons
 * sharing it, SIGTERM and the stop command.
 */
class DaemonLifecycleTest {

    private TestInstallation installation;
    private String database;
    private final List<CliProcess> processes = new ArrayList<>();
    private int embeddedPort;

    @BeforeEach
    void setUp() throws Exception {
        database = TestDatabases.uniqueName("lifecycle");
        TestDatabases.create(database);
        embeddedPort = TestCluster.freePort();
        // a pg_dump that takes a while: a run is still busy when the daemon starts
        Path tools = Files.createTempDirectory("slow-tools");
        Path dump = tools.resolve("pg_dump");
        Files.writeString(dump, "#!/bin/sh\ncase \"$*\" in *--version*) ;; *) sleep 8;; esac\nexec " + TestCluster.BIN
                + "/pg_dump \"$@\"\n");
        Files.setPosixFilePermissions(dump, PosixFilePermissions.fromString("rwxr-xr-x"));
        installation = new TestInstallation().set("mking.audit.url", "")
                .set("mking.audit.embedded-port", Integer.toString(embeddedPort));
        Files.writeString(installation.routes().resolve("slow.yaml"), """
                - templatedRoute:
                    routeTemplateRef: pg-logical
                    parameters:
                      - {name: job, value: slow}
                      - {name: cron, value: "0 0 3 * * ?"}
                      - {name: database, value: %s}
                      - {name: binDir, value: "%s"}
                """.formatted(database, tools));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (CliProcess process : processes) {
            process.close();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> portIsFree(embeddedPort));
        installation.close();
        TestDatabases.dropAll(database);
    }

    @Test
    void aSecondDaemonOnATakenPortExitsTwoNamingThePortAndTheFirstStopsCleanly() throws Exception {
        int port = TestCluster.freePort();
        installation.set("camel.management.port", Integer.toString(port));
        CliProcess first = start("start").awaitOutput(out -> out.contains("daemon started"), Duration.ofSeconds(90));
        Instant started = Instant.now();
        CliProcess second = start("start");
        assertThat(second.waitFor(Duration.ofSeconds(30))).as(second.output()).isEqualTo(2);
        assertThat(Duration.between(started, Instant.now())).isLessThan(Duration.ofSeconds(30));
        assertThat(second.output()).contains("camel.management.port").contains(Integer.toString(port)).contains("in use")
                .doesNotContain("daemon started").doesNotContain("Exception");
        assertThat(health(port)).isEqualTo(200);

        CliResult stop = installation.cli("stop");
        assertThat(stop.exitCode()).as(stop.all()).isEqualTo(0);
        assertThat(stop.out()).contains("stopped");
        assertThat(first.waitFor(Duration.ofSeconds(60))).isEqualTo(0);
        assertThat(first.output()).contains("daemon stopped").doesNotContain("Exception");
        assertThat(installation.cli("stop").exitCode()).as("nothing left to stop").isEqualTo(2);
    }

    @Test
    void aRunStartedBeforeTheDaemonDoesNotTakeTheEmbeddedAuditDatabaseAwayFromIt() throws Exception {
        int port = TestCluster.freePort();
        installation.set("camel.management.port", Integer.toString(port));
        CliProcess run = start("run", "slow").awaitOutput(out -> out.contains("running"), Duration.ofSeconds(90));
        CliProcess daemon = start("start").awaitOutput(out -> out.contains("daemon started"), Duration.ofSeconds(90));
        assertThat(run.waitFor(Duration.ofSeconds(90))).as(run.output()).isEqualTo(0);
        assertThat(portIsFree(embeddedPort)).as("the run left the audit database to the daemon").isFalse();
        assertThat(health(port)).isEqualTo(200);
        CliResult list = installation.cli("list", "--job", "slow");
        assertThat(list.exitCode()).as(list.all()).isEqualTo(0);
        assertThat(list.out()).contains("success");

        daemon.terminate();
        assertThat(daemon.waitFor(Duration.ofSeconds(60))).isEqualTo(0);
        await("the last user stops the embedded server").atMost(Duration.ofSeconds(30)).until(() -> portIsFree(embeddedPort));
    }

    @Test
    void twoDaemonsShareTheAuditDatabaseAndOneStoppingLeavesTheOtherWorking() throws Exception {
        int portA = TestCluster.freePort();
        int portB = TestCluster.freePort();
        Path configB = installation.home().resolve("b.properties");
        Files.writeString(configB, "camel.management.port=" + portB + "\n");
        installation.set("camel.management.port", Integer.toString(portA));
        CliProcess a = start("start").awaitOutput(out -> out.contains("daemon started"), Duration.ofSeconds(90));
        CliProcess b = start("--config", configB.toString(), "start")
                .awaitOutput(out -> out.contains("daemon started"), Duration.ofSeconds(90));
        a.terminate();
        assertThat(a.waitFor(Duration.ofSeconds(60))).isEqualTo(0);
        assertThat(health(portB)).isEqualTo(200);
        CliResult run = installation.cli("run", "slow");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(0);
        assertThat(b.isAlive()).isTrue();
        assertThat(health(portB)).isEqualTo(200);
        b.terminate();
        assertThat(b.waitFor(Duration.ofSeconds(60))).isEqualTo(0);
    }

    private CliProcess start(String... args) throws Exception {
        CliProcess process = CliProcess.start(installation, List.of("-Xmx384m"), args);
        processes.add(process);
        return process;
    }

    private static int health(int port) throws Exception {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/observe/health")).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static boolean portIsFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
