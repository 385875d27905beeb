package com.mking.backup.config;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The jobs each route file declares ({@code templatedRoute}s, named by their {@code routeId} or {@code job} parameter), read
 * from the files themselves: Camel keeps one route per id, so a second job of the same name would silently replace the
 * first, and a templated route does not remember its file, which errors should name.
 */
public final class RouteFileJobs {

    /** A job name becomes a route id, a folder in every store and the audit rows' name. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private RouteFileJobs() {
    }

    /**
     * Job name → its route file, in file order. Throws a {@link ConfigException} for a name given twice (naming both
     * places) or one that cannot be a folder name. A file that is not YAML is left to Camel, whose error names it.
     */
    public static Map<String, Path> read(Path routesDir) {
        Map<String, Path> jobs = new LinkedHashMap<>();
        for (Path file : files(routesDir)) {
            for (String job : jobsIn(file)) {
                if (job.contains("{{")) {
                    continue; // a placeholder: resolved by Camel, checked there
                }
                if (!NAME.matcher(job).matches()) {
                    throw new ConfigException(file + " job '" + job + "'", "is not a usable job name",
                            "use letters, digits, '.', '_' and '-', starting with a letter or digit (it names the job's "
                                    + "folder in every store)");
                }
                Path first = jobs.putIfAbsent(job, file);
                if (first != null) {
                    throw new ConfigException(file + " job '" + job + "'", "a job of this name is already declared"
                            + (first.equals(file) ? " earlier in this file" : " in " + first),
                            "give each job its own name (the second would silently replace the first)");
                }
            }
        }
        return jobs;
    }

    /** Job name → route file, or an empty map when the files hold a mistake (start-up has named it already). */
    public static Map<String, Path> readQuietly(Path routesDir) {
        try {
            return read(routesDir);
        } catch (ConfigException e) {
            return Map.of();
        }
    }

    private static List<Path> files(Path routesDir) {
        try (Stream<Path> files = Files.list(routesDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new ConfigException("--routes " + routesDir, "cannot be read (" + e.getMessage() + ")", "make it readable");
        }
    }

    /**
     * Where a job of {@code template} lacks {@code parameter} ("routes/app.yaml job 'app'"): Camel names the template and
     * the parameter, not the file or the job.
     */
    public static Optional<String> lacking(Path routesDir, String template, String parameter) {
        return firstRoute(routesDir, route -> template.equals(route.get("routeTemplateRef"))
                && !parameterNames(route).contains(parameter));
    }

    /** The file naming a template that does not exist, and the job there. */
    public static Optional<String> naming(Path routesDir, String template) {
        return firstRoute(routesDir, route -> template.equals(route.get("routeTemplateRef")));
    }

    /** The first templated route that {@code matches}, as "file job 'name'". */
    private static Optional<String> firstRoute(Path routesDir, java.util.function.Predicate<Map<?, ?>> matches) {
        for (Path file : files(routesDir)) {
            for (Map<?, ?> route : templatedRoutes(file)) {
                if (matches.test(route)) {
                    return Optional.of(file + jobOf(route).map(job -> " job '" + job + "'").orElse(""));
                }
            }
        }
        return Optional.empty();
    }

    private static List<String> jobsIn(Path file) {
        return templatedRoutes(file).stream().map(RouteFileJobs::jobOf).flatMap(Optional::stream).toList();
    }

    private static List<Map<?, ?>> templatedRoutes(Path file) {
        Object document;
        try {
            document = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        if (!(document instanceof List<?> items)) {
            return List.of();
        }
        return items.stream()
                .filter(item -> item instanceof Map<?, ?> map && map.get("templatedRoute") instanceof Map)
                .<Map<?, ?>>map(item -> (Map<?, ?>) ((Map<?, ?>) item).get("templatedRoute")).toList();
    }

    private static List<String> parameterNames(Map<?, ?> templatedRoute) {
        if (!(templatedRoute.get("parameters") instanceof List<?> parameters)) {
            return List.of();
        }
        return parameters.stream().filter(p -> p instanceof Map<?, ?>).map(p -> String.valueOf(((Map<?, ?>) p).get("name")))
                .map(org.apache.camel.util.StringHelper::dashToCamelCase).toList();
    }

    private static Optional<String> jobOf(Map<?, ?> templatedRoute) {
        if (templatedRoute.get("routeId") != null) {
            return Optional.of(String.valueOf(templatedRoute.get("routeId")));
        }
        if (templatedRoute.get("parameters") instanceof List<?> parameters) {
            for (Object parameter : parameters) {
                if (parameter instanceof Map<?, ?> map && "job".equals(map.get("name")) && map.get("value") != null) {
                    return Optional.of(String.valueOf(map.get("value")));
                }
            }
        }
        return Optional.empty();
    }
}
