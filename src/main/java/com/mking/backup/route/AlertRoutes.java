package com.mking.backup.route;

import com.mking.backup.alert.Alert;
import com.mking.backup.alert.AlertDispatcher;
import com.mking.backup.alert.AlertLedger;
import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;

/**
 * Where alerts go. {@code direct:alert} raises a condition (headers: condition, level, subject, detail);
 * {@code direct:alert-clear} closes one and sends a recovery notice if it was open. The ledger decides
 * what is sent (no storms); the channels themselves are routes in routes/alerts.yaml.
 */
public final class AlertRoutes extends RouteBuilder {

    public static final String ALERT = "direct:alert";
    public static final String CLEAR = "direct:alert-clear";
    public static final String CONDITION = "mkingAlertCondition";
    public static final String LEVEL = "mkingAlertLevel";
    public static final String SUBJECT = "mkingAlertSubject";
    public static final String DETAIL = "mkingAlertDetail";

    @Override
    public void configure() {
        AlertLedger ledger = getCamelContext().getRegistry().findSingleByType(AlertLedger.class);
        AlertDispatcher dispatcher = getCamelContext().getRegistry().findSingleByType(AlertDispatcher.class);

        // the ledger decides what an unreachable audit database means (send anyway); no error handler logs each failure
        from(AlertLedger.CONDITION_ROUTE).routeId("alert-condition").errorHandler(noErrorHandler())
                .to(Sql.query("alert-condition"));
        from(AlertLedger.RAISED_ROUTE).routeId("alert-raised").errorHandler(noErrorHandler())
                .to(Sql.update("alert-raised"));
        from(AlertLedger.CLEARED_ROUTE).routeId("alert-cleared").errorHandler(noErrorHandler())
                .to(Sql.update("alert-cleared"));

        from(ALERT).routeId("alert")
                .choice()
                    .when(exchange -> ledger.raise(alert(exchange)))
                        .log(LoggingLevel.ERROR, "mking.alert", "ALERT ${header." + SUBJECT + "}: ${header." + DETAIL + "}")
                        .process(dispatcher::deliver)
                    .otherwise()
                        .log(LoggingLevel.DEBUG, "mking.alert", "still open, not sent again: ${header." + SUBJECT + "}")
                .end();

        from(CLEAR).routeId("alert-clear")
                .filter(exchange -> ledger.clear(exchange.getMessage().getHeader(CONDITION, String.class)))
                    .setHeader(LEVEL, constant(Alert.Level.GOOD.name()))
                    .log(LoggingLevel.INFO, "mking.alert", "RECOVERED ${header." + SUBJECT + "}")
                    .process(dispatcher::deliver)
                .end();
    }

    private static Alert alert(Exchange exchange) {
        var message = exchange.getMessage();
        String subject = message.getHeader(SUBJECT, "alert", String.class);
        return new Alert(message.getHeader(CONDITION, subject, String.class),
                Alert.Level.valueOf(message.getHeader(LEVEL, Alert.Level.DANGER.name(), String.class)),
                subject, message.getHeader(DETAIL, "", String.class));
    }
}
