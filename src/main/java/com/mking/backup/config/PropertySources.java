package com.mking.backup.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Every property an operator set, with where it was set, read the way the runtime reads them (lowest
 * priority first): {@code application.properties}, the {@code --config} files in order, {@code -D}
 * system properties, environment variables ({@code mking.audit.url} ← {@code MKING_AUDIT_URL}).
 * Used before Camel starts: to check the configuration (unknown keys, bad values) and to find a setting
 * such as the data directory without booting anything.
 */
public final class PropertySources {

    /** A value and where it came from, e.g. {@code application.properties} or {@code environment variable MKING_X}. */
    public record Setting(String key, String value, String origin) {
    }

    private final Map<String, Setting> files = new LinkedHashMap<>();
    private final Map<String, Setting> system = new LinkedHashMap<>();
    private final Map<String, String> environment;

    private PropertySources(Map<String, String> environment) {
        this.environment = environment;
    }

    public static PropertySources load(Path home, List<Path> configFiles) {
        return load(home, configFiles, System.getenv(), System.getProperties());
    }

    static PropertySources load(Path home, List<Path> configFiles, Map<String, String> environment, Properties systemProperties) {
        PropertySources sources = new PropertySources(environment);
        sources.readFile(home.resolve("application.properties"), "application.properties", true);
        for (Path file : configFiles) {
            sources.readFile(file.toAbsolutePath(), "--config " + file, false);
        }
        for (String key : systemProperties.stringPropertyNames()) {
            if (isOurs(key)) {
                sources.system.put(key, new Setting(key, systemProperties.getProperty(key), "-D" + key));
            }
        }
        return sources;
    }

    private void readFile(Path file, String origin, boolean optional) {
        if (!Files.isReadable(file)) {
            if (optional) {
                return;
            }
            throw new ConfigException(origin, "the file does not exist or is not readable", "give the path of a readable properties file");
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException(origin, "cannot be read as a properties file (" + e.getMessage() + ")",
                    "write one key=value per line");
        }
        for (String key : properties.stringPropertyNames()) {
            files.put(key, new Setting(key, properties.getProperty(key), origin));
        }
    }

    private static boolean isOurs(String key) {
        return key.startsWith("mking.") || key.startsWith("camel.");
    }

    /** The environment variable that overrides a key: upper case, dots and dashes to underscores. */
    public static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The effective setting of a key, by priority. */
    public Optional<Setting> get(String key) {
        String variable = environmentName(key);
        if (environment.containsKey(variable)) {
            return Optional.of(new Setting(key, environment.get(variable), "environment variable " + variable));
        }
        if (system.containsKey(key)) {
            return Optional.of(system.get(key));
        }
        return Optional.ofNullable(files.get(key));
    }

    public String get(String key, String defaultValue) {
        return get(key).map(Setting::value).map(String::trim).filter(v -> !v.isEmpty()).orElse(defaultValue);
    }

    /** Every key set in a file or with -D (what an operator wrote, typos included). */
    public Map<String, Setting> written() {
        Map<String, Setting> all = new LinkedHashMap<>(files);
        all.putAll(system);
        return all;
    }

    /** Environment variables that look like settings of this program ({@code MKING_...}). */
    public Map<String, String> environmentSettings() {
        Map<String, String> ours = new LinkedHashMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith("MKING_")) {
                ours.put(name, value);
            }
        });
        return ours;
    }
}
