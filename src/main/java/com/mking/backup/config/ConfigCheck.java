package com.mking.backup.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks what an operator wrote before anything starts: every {@code mking.*} key in the properties files
 * and {@code -D} options must be a known setting (a typo is named with the closest valid key), and every
 * value of a known setting must fit its type. A route file's placeholders ({@code {{mking.pg.host:...}}})
 * are settings too. The environment is shared with other programs, so unknown {@code MKING_*} variables
 * only produce warnings.
 */
public final class ConfigCheck {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*(mking\\.[A-Za-z0-9._-]+)");
    private static final Set<String> LAUNCHER_VARIABLES = Set.of("MKING_JAVA_OPTS", "MKING_HOME", "MKING_NO_CDS");

    private ConfigCheck() {
    }

    /** Throws a {@link ConfigException} naming the first wrong key; returns warnings about the environment. */
    public static List<String> check(PropertySources sources, Path routesDir) {
        if (!Files.isDirectory(routesDir)) {
            throw new ConfigException("--routes " + routesDir, "the directory does not exist",
                    "give the directory holding the route files (the installation's routes/ by default), or make it: an "
                            + "empty one is enough to restore or import (mkdir -p " + routesDir + ")");
        }
        RouteFileJobs.read(routesDir); // two jobs of one name, or a name no store can hold
        Set<String> placeholders = placeholders(routesDir);
        List<String> storeNames = List.of(sources.get("mking.stores", "local").split("\\s*,\\s*"));
        List<String> known = new ArrayList<>(KnownProperties.names(storeNames));
        known.addAll(placeholders);
        for (PropertySources.Setting setting : sources.written().values()) {
            check(setting.key(), setting.value(), setting.origin(), known, placeholders);
        }
        List<String> warnings = new ArrayList<>();
        Set<String> knownVariables = new HashSet<>();
        known.forEach(key -> knownVariables.add(PropertySources.environmentName(key)));
        for (Map.Entry<String, String> variable : sources.environmentSettings().entrySet()) {
            String name = variable.getKey();
            Optional<PropertySpec> spec = KnownProperties.fixed().stream()
                    .filter(s -> PropertySources.environmentName(s.name()).equals(name)).findFirst();
            if (spec.isPresent()) {
                spec.get().type().problem(variable.getValue()).ifPresent(problem -> {
                    throw new ConfigException(spec.get().name() + " (environment variable " + name + ")", problem,
                            "set e.g. " + spec.get().example());
                });
            } else if (!knownVariables.contains(name) && !LAUNCHER_VARIABLES.contains(name)
                    && !isOfAnotherStore(name, storeNames)) {
                warnings.add("environment variable " + name + " is not a setting of mking-backup"
                        + closest(name, knownVariables).map(c -> " (did you mean " + c + "?)").orElse("")
                        + "; it is ignored unless a job names it (passwordEnv)");
            }
        }
        return warnings;
    }

    /**
     * A store's settings may come from the environment before its name is in {@code mking.stores} (another configuration
     * names it): only a variable of a configured store can be told a typo.
     */
    private static boolean isOfAnotherStore(String variable, List<String> storeNames) {
        return variable.startsWith("MKING_STORE_") && storeNames.stream()
                .noneMatch(store -> variable.startsWith(PropertySources.environmentName("mking.store." + store + ".")));
    }

    private static void check(String key, String value, String origin, List<String> known, Set<String> placeholders) {
        Optional<PropertySpec> spec = KnownProperties.find(key);
        if (spec.isPresent()) {
            spec.get().type().problem(value).ifPresent(problem -> {
                throw new ConfigException(key + " (" + origin + ")", problem, "set e.g. " + key + "=" + spec.get().example());
            });
            return;
        }
        if (key.startsWith("mking.") && !placeholders.contains(key)) {
            throw new ConfigException(key + " (" + origin + ")", "unknown setting", closest(key, known)
                    .map(c -> "did you mean " + c + "? (the settings are listed in README.md, Configuration reference)")
                    .orElse("remove it; the settings are listed in README.md, Configuration reference"));
        }
    }

    /** Keys the route files read as {@code {{key}}} or {@code {{key:default}}}. */
    static Set<String> placeholders(Path routesDir) {
        Set<String> keys = new HashSet<>();
        try (Stream<Path> files = Files.list(routesDir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".yaml")).toList()) {
                Matcher m = PLACEHOLDER.matcher(Files.readString(file));
                while (m.find()) {
                    keys.add(m.group(1));
                }
            }
        } catch (IOException e) {
            throw new ConfigException("--routes " + routesDir, "cannot be read (" + e.getMessage() + ")", "make it readable");
        }
        return keys;
    }

    /** The known name nearest to a typo (edit distance), when it is near enough to be what was meant. */
    public static Optional<String> closest(String typo, java.util.Collection<String> candidates) {
        return candidates.stream().min(Comparator.comparingInt(candidate -> distance(typo, candidate)))
                .filter(best -> distance(typo, best) <= Math.max(3, typo.length() / 4));
    }

    /** Edits between two names, a swap of neighbours counting as one (prot is one edit from port). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = Character.toLowerCase(a.charAt(i - 1)) == Character.toLowerCase(b.charAt(j - 1)) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1));
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
