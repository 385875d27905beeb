package com.mking.backup.alert;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands an alert (or a report) to every channel route (mail and Slack, plus channels a route file adds; see
 * {@code NotificationChannels}) one after the other. A broken channel never blocks the others: its failure
 * is logged and counted, and the next channel still gets the alert.
 */
public final class AlertDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(AlertDispatcher.class);

    private final ProducerTemplate producer;
    private final java.util.function.Supplier<List<String>> channels;
    private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();

    /** @param channels the channel endpoints, asked at each delivery (route files may add channels) */
    public AlertDispatcher(ProducerTemplate producer, java.util.function.Supplier<List<String>> channels) {
        this.producer = producer;
        this.channels = channels;
    }

    public void deliver(Exchange alert) {
        // never wait for a channel whose route is not there
        for (String channel : channels.get().stream()
                .map(c -> c.startsWith("direct:") && !c.contains("?") ? c + "?block=false" : c).toList()) {
            Exchange result = producer.send(channel, copy -> {
                copy.getMessage().setHeaders(new java.util.HashMap<>(alert.getMessage().getHeaders()));
                copy.getMessage().setBody(alert.getMessage().getBody());
            });
            if (result.getException() instanceof org.apache.camel.component.direct.DirectConsumerNotAvailableException) {
                LOG.debug("alert channel {} has no route", channel);
            } else if (result.getException() != null) {
                failures.computeIfAbsent(channel, c -> new AtomicLong()).incrementAndGet();
                LOG.error("alert channel {} failed: {}", channel, result.getException().getMessage());
            }
        }
    }

    /** Failed deliveries per channel since start. */
    public Map<String, Long> failures() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        failures.forEach((channel, count) -> counts.put(channel, count.get()));
        return counts;
    }
}
