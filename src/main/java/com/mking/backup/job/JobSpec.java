package com.mking.backup.job;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One backup job as declared in a route file ({@code routes/*.yaml}): its name (also the route id),
 * source kind, cron, target stores and the source's own parameters.
 */
public record JobSpec(String name, String source, String cron, List<String> stores, Map<String, String> parameters,
                      String routeFile) {

    public Optional<String> parameter(String key) {
        String value = parameters.get(key);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    public String parameter(String key, String defaultValue) {
        return parameter(key).orElse(defaultValue);
    }

    /** The same job with some parameters replaced (a restore onto another server: host, port, user, password). */
    public JobSpec with(Map<String, String> overrides) {
        Map<String, String> merged = new java.util.LinkedHashMap<>(parameters);
        merged.putAll(overrides);
        return new JobSpec(name, source, cron, stores, Map.copyOf(merged), routeFile);
    }

    /** How errors point at this job's entry, e.g. {@code routes/*.yaml job 'pg-logical' parameter 'cron'}. */
    public String where(String parameterName) {
        return (routeFile == null ? "routes/*.yaml" : routeFile) + " job '" + name + "' parameter '" + parameterName + "'";
    }
}
