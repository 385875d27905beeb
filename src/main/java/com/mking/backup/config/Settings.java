package com.mking.backup.config;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Typed access to {@code mking.*} properties. Values come from, in rising priority: built-in defaults,
 * {@code application.properties}, files given with {@code --config}, system properties ({@code -D}) and
 * environment variables ({@code mking.audit.url} ← {@code MKING_AUDIT_URL}). A bad value fails with a
 * {@link ConfigException} that names the property.
 */
public final class Settings {

    private final PropertiesComponent properties;

    public Settings(CamelContext context) {
        this.properties = context.getPropertiesComponent();
    }

    public Optional<String> optional(String key) {
        return properties.resolveProperty(key).map(String::trim).filter(value -> !value.isEmpty());
    }

    public String get(String key, String defaultValue) {
        return optional(key).orElse(defaultValue);
    }

    public String required(String key, String fix) {
        return optional(key).orElseThrow(() -> new ConfigException(key, "not set", fix));
    }

    public int integer(String key, int defaultValue) {
        String value = get(key, Integer.toString(defaultValue));
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new ConfigException(key, "'" + value + "' is not a whole number", "set a number such as " + defaultValue);
        }
    }

    public boolean bool(String key, boolean defaultValue) {
        String value = get(key, Boolean.toString(defaultValue)).toLowerCase();
        return switch (value) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new ConfigException(key, "'" + value + "' is not a boolean", "set true or false");
        };
    }

    public List<String> list(String key, String defaultValue) {
        return Arrays.stream(get(key, defaultValue).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * The installation directory: where application.properties and routes/ are looked for. The system
     * property {@code mking.home} wins, then the environment variable {@code MKING_HOME}, then the
     * working directory.
     */
    public static Path home() {
        String home = System.getProperty("mking.home");
        if (home == null || home.isBlank()) {
            home = System.getenv("MKING_HOME");
        }
        if (home == null || home.isBlank()) {
            home = System.getProperty("user.dir");
        }
        return Path.of(home.trim()).toAbsolutePath().normalize();
    }

    /** A path setting; relative values are relative to {@link #home()}. */
    public Path path(String key, String defaultValue) {
        return home().resolve(get(key, defaultValue)).normalize();
    }

    public Path dataDir() {
        return path("mking.data-dir", "data");
    }
}
