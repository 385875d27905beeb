package com.mking.backup.route;

import com.mking.backup.config.Settings;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;

import java.util.ArrayList;
import java.util.List;

/**
 * The built-in channels alerts and the daily report go to: mail (camel-mail) and Slack (a camel-slack
 * incoming webhook), switched on and addressed by the {@code mking.alert.mail.*} and
 * {@code mking.alert.slack.*} properties. They are part of the product, so alerts never depend on a route
 * file being installed. A route file may add channels: every route whose id starts with
 * {@value #EXTRA_ALERT_CHANNEL} (or {@value #EXTRA_REPORT_CHANNEL}) gets each alert (report) too.
 */
public final class NotificationChannels extends RouteBuilder {

    public static final String ALERT_MAIL = "direct:alert-mail";
    public static final String ALERT_SLACK = "direct:alert-slack";
    public static final String REPORT_MAIL = "direct:report-mail";
    public static final String REPORT_SLACK = "direct:report-slack";
    public static final String EXTRA_ALERT_CHANNEL = "alert-channel-";
    public static final String EXTRA_REPORT_CHANNEL = "report-channel-";

    @Override
    public void configure() {
        String smtp = smtpUri(new Settings(getCamelContext()));

        from(ALERT_MAIL).routeId("alert-mail")
                .filter(simple("{{mking.alert.mail.enabled:false}}")).id("alert-mail-enabled")
                    .setHeader("subject", simple("[mking-backup ${header.mkingAlertLevel}] ${header.mkingAlertSubject}"))
                    .setBody(simple("${header.mkingAlertSubject}\n\n${header.mkingAlertDetail}\n\nlevel: ${header.mkingAlertLevel}\n"
                            + "condition: ${header.mkingAlertCondition}\nhost: ${sys.HOSTNAME}\n"))
                    .removeHeaders("mking*")
                    .to(smtp).id("alert-mail-send")
                .end();

        // the webhook URL (a secret) configures the slack component; no endpoint URI carries it
        from(ALERT_SLACK).routeId("alert-slack")
                .filter(simple("{{mking.alert.slack.enabled:false}}")).id("alert-slack-enabled")
                    .setBody(simple("[${header.mkingAlertLevel}] ${header.mkingAlertSubject}: ${header.mkingAlertDetail}"))
                    .to("slack:{{mking.alert.slack.channel:#ops}}").id("alert-slack-send")
                .end();

        from(REPORT_MAIL).routeId("report-mail")
                .filter(simple("{{mking.alert.mail.enabled:false}}")).id("report-mail-enabled")
                    .setHeader("subject", simple("${header.mkingReportSubject}"))
                    .setHeader("Content-Type", constant("text/html; charset=UTF-8"))
                    .removeHeaders("mking*")
                    .to(smtp).id("report-mail-send")
                .end();

        from(REPORT_SLACK).routeId("report-slack")
                .filter(simple("{{mking.alert.slack.enabled:false}}")).id("report-slack-enabled")
                    .setBody(simple("${header.mkingReportSummary}"))
                    .to("slack:{{mking.alert.slack.channel:#ops}}").id("report-slack-send")
                .end();
    }

    /** SMTP with the login of {@code mking.alert.mail.username} / {@code password} when set (Camel masks the password). */
    static String smtpUri(Settings settings) {
        String uri = "smtp://{{mking.alert.mail.host:localhost}}:{{mking.alert.mail.port:25}}"
                + "?from={{mking.alert.mail.from:mking-backup@localhost}}&to={{mking.alert.mail.to:root@localhost}}";
        if (settings.optional("mking.alert.mail.username").isPresent()) {
            uri += "&username={{mking.alert.mail.username}}&password=RAW({{mking.alert.mail.password:}})";
        }
        return uri;
    }

    /** The channel endpoints for alerts (or reports): the built-in pair, then every extra channel route. */
    public static List<String> channels(CamelContext context, boolean report) {
        List<String> endpoints = new ArrayList<>(report ? List.of(REPORT_MAIL, REPORT_SLACK) : List.of(ALERT_MAIL, ALERT_SLACK));
        String prefix = report ? EXTRA_REPORT_CHANNEL : EXTRA_ALERT_CHANNEL;
        for (RouteDefinition route : ((ModelCamelContext) context).getRouteDefinitions()) {
            if (route.getRouteId() != null && route.getRouteId().startsWith(prefix)) {
                endpoints.add(route.getInput().getEndpointUri());
            }
        }
        return endpoints;
    }
}
