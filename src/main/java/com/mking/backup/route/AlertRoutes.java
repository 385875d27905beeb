package com.mking.backup.route;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;

/**
 * Where alerts go. For now every alert is logged at ERROR with its subject and detail; mail and Slack
 * channels plug in here.
 */
public final class AlertRoutes extends RouteBuilder {

    public static final String ALERT = "direct:alert";
    public static final String SUBJECT = "mkingAlertSubject";
    public static final String DETAIL = "mkingAlertDetail";

    @Override
    public void configure() {
        from(ALERT).routeId("alert")
                .log(LoggingLevel.ERROR, "mking.alert", "ALERT ${header." + SUBJECT + "}: ${header." + DETAIL + "}");
    }
}
