package com.mking.backup.alert;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.mking.backup.support.CliResult;
import com.mking.backup.support.TestDatabases;
import com.mking.backup.support.TestInstallation;
import com.mking.backup.support.TestWebhook;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Alerts reach people through a real SMTP server (GreenMail) and a local HTTP endpoint standing in for
 * the Slack webhook, using the shipped routes/alerts.yaml: once per condition, a recovery notice when
 * it clears, and a broken channel does not stop the other.
 */
class AlertingTest {

    @RegisterExtension
    static GreenMailExtension mail = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private TestWebhook slack;
    private List<String> posts;
    private TestInstallation installation;
    private String database;

    @BeforeEach
    void setUp() throws Exception {
        slack = new TestWebhook("/hook");
        posts = slack.posts();
        database = TestDatabases.uniqueName("alerted");
        installation = new TestInstallation()
                .set("mking.alert.mail.enabled", "true")
                .set("mking.alert.mail.host", "127.0.0.1")
                .set("mking.alert.mail.port", Integer.toString(mail.getSmtp().getPort()))
                .set("mking.alert.mail.to", "oncall@example.com")
                .set("mking.alert.slack.enabled", "true")
                .set("mking.alert.slack.webhook-url", slack.url())
                .withPgLogicalJob("shop", database, "local", "0 0 3 * * ?");
        // no alerts.yaml or reports.yaml: the mail and Slack channels are built in, configured by properties
    }

    @AfterEach
    void tearDown() throws Exception {
        slack.close();
        TestDatabases.dropAll(database);
        installation.close();
    }

    @Test
    void oneAlertPerConditionThenOneRecoveryNotice() throws Exception {
        assertThat(installation.cli("run", "shop").exitCode()).isEqualTo(1);
        assertThat(mail.getReceivedMessages()).hasSize(1);
        MimeMessage first = mail.getReceivedMessages()[0];
        assertThat(first.getSubject()).contains("DANGER").contains("backup of job shop failed");
        assertThat(first.getAllRecipients()[0].toString()).isEqualTo("oncall@example.com");
        assertThat(com.icegreen.greenmail.util.GreenMailUtil.getBody(first)).contains(database).contains("does not exist");
        assertThat(posts).hasSize(1);
        assertThat(posts.get(0)).contains("backup of job shop failed").contains("does not exist");

        assertThat(installation.cli("run", "shop").exitCode()).isEqualTo(1);
        assertThat(mail.getReceivedMessages()).as("the same failure does not alert again").hasSize(1);
        assertThat(posts).hasSize(1);

        TestDatabases.create(database);
        CliResult success = installation.cli("run", "shop");
        assertThat(success.exitCode()).as(success.all()).isEqualTo(0);
        assertThat(mail.getReceivedMessages()).hasSize(2);
        assertThat(mail.getReceivedMessages()[1].getSubject()).contains("GOOD").contains("succeeded again");
        assertThat(posts).hasSize(2);
        assertThat(posts.get(1)).contains("GOOD");

        assertThat(installation.cli("run", "shop").exitCode()).isEqualTo(0);
        assertThat(mail.getReceivedMessages()).as("no notice while nothing is wrong").hasSize(2);
    }

    @Test
    void theDailyReportGoesOutAsHtmlMailAndSlackSummary() throws Exception {
        TestDatabases.create(database);
        assertThat(installation.cli("run", "shop").exitCode()).isEqualTo(0);
        CliResult report = installation.cli("report", "--send");
        assertThat(report.exitCode()).as(report.all()).isEqualTo(0);
        assertThat(report.out()).contains("OK   shop: last success").contains("30 d 100.0 % (1/1)");
        MimeMessage mailed = mail.getReceivedMessages()[mail.getReceivedMessages().length - 1];
        assertThat(mailed.getSubject()).isEqualTo("mking-backup daily report: all jobs healthy");
        assertThat(mailed.getContentType()).contains("text/html");
        assertThat(com.icegreen.greenmail.util.GreenMailUtil.getBody(mailed)).contains("<td>shop</td>").contains("passed");
        assertThat(posts.get(posts.size() - 1)).contains("shop: last success");
    }

    @Test
    void aRouteFileAddsAChannelThatGetsEveryAlert() throws Exception {
        Files.copy(Path.of("routes/alerts.yaml"), installation.routes().resolve("alerts.yaml"));
        Path dir = installation.home().resolve("alert-files");
        installation.set("mking.alert.file.enabled", "true").set("mking.alert.file.dir", dir.toString());
        assertThat(installation.cli("run", "shop").exitCode()).isEqualTo(1);
        assertThat(Files.readString(dir.resolve("alerts.log"))).as("one line per alert")
                .containsPattern("^\\S+ DANGER backup of job shop failed[^\n]*\n$");
        assertThat(mail.getReceivedMessages()).hasSize(1);
        assertThat(posts).hasSize(1);
    }

    @Test
    void aFailingSlackWebhookDoesNotStopTheMail() throws Exception {
        slack.answer(500);
        CliResult run = installation.cli("run", "shop");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(posts).hasSize(1);
        assertThat(mail.getReceivedMessages()).hasSize(1);
        assertThat(mail.getReceivedMessages()[0].getSubject()).contains("backup of job shop failed");
    }
}
