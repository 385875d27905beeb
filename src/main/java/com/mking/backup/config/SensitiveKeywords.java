package com.mking.backup.config;

import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedCamelContext;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Option and property names whose values are secrets, on top of Camel's own list (password, token, accessKey,
 * secretKey, passphrase, ... : {@code org.apache.camel.util.SensitiveUtils}). Camel masks the values of such
 * options ({@code xxxxxx}) wherever it shows an endpoint URI: JMX (so Jolokia and Hawtio) endpoint names and
 * attributes, processor destinations, metric tags, logs and message histories; and the values of such
 * properties in its property summaries and consoles. It works for every route, whether a route file or Java
 * defines it.
 *
 * <p>A Slack incoming-webhook URL carries its token in the path ({@code .../services/T/B/TOKEN}); camel-slack
 * does not mark {@code webhookUrl} as secret, so without this an endpoint {@code slack:#ops?webhookUrl=...}
 * shows the token in JMX.
 */
public final class SensitiveKeywords {

    /** Matched case-insensitively as part of an option name: {@code webhookUrl} also covers {@code slackWebhookUrl}. */
    public static final List<String> KEYWORDS = List.of("webhookUrl");

    private SensitiveKeywords() {
    }

    /**
     * Adds {@link #KEYWORDS} to {@code camel.main.additionalSensitiveKeywords} (keeping any the operator set). Call
     * it before any endpoint is created: Camel registers an endpoint's JMX name once.
     */
    public static void apply(CamelContext context) {
        ExtendedCamelContext extension = context.getCamelContextExtension();
        Set<String> keywords = new LinkedHashSet<>();
        String configured = extension.getAdditionalSensitiveKeywords();
        if (configured != null) {
            Arrays.stream(configured.split(",")).map(String::trim).filter(k -> !k.isEmpty()).forEach(keywords::add);
        }
        keywords.addAll(KEYWORDS);
        // one call with the whole list: Camel's URI sanitizer keeps only the keywords of the last call
        extension.setAdditionalSensitiveKeywords(String.join(",", keywords));
    }
}
