package com.mking.backup.job;

import com.mking.backup.config.ConfigException;
import com.mking.backup.source.Source;
import com.mking.backup.source.SourceRegistry;
import com.mking.backup.store.StoreRegistry;
import com.mking.backup.config.ConfigCheck;
import com.mking.backup.config.CronCheck;
import com.mking.backup.exec.RemoteShell;
import com.mking.backup.retention.Pruner;
import org.apache.camel.CamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.PropertyDefinition;
import org.apache.camel.model.RouteDefinition;
import org.quartz.CronExpression;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The jobs declared in the route files: every route instantiated from a source's route template (see
 * {@code BackupJobTemplates}) is one job, named by its route id. The template parameters are read
 * back from the route definitions, so the YAML stays the single place where policy lives.
 */
public final class JobCatalog {

    /** Route property that marks a job's trigger route and names its source kind. */
    public static final String SOURCE_PROPERTY = "mking.source";

    private final CamelContext context;
    private final SourceRegistry sources;
    private final StoreRegistry stores;
    private volatile Map<String, JobSpec> jobs;

    public JobCatalog(CamelContext context, SourceRegistry sources, StoreRegistry stores) {
        this.context = context;
        this.sources = sources;
        this.stores = stores;
    }

    public List<JobSpec> jobs() {
        return List.copyOf(load().values());
    }

    public JobSpec job(String name) {
        JobSpec job = load().get(name);
        if (job == null) {
            throw new IllegalArgumentException("no job named '" + name + "'; " + ConfigCheck.closest(name, load().keySet())
                    .map(c -> "did you mean '" + c + "'? ").orElse("") + "jobs in the route files: " + String.join(", ", load().keySet()));
        }
        return job;
    }

    /**
     * The job, whose source must have this capability (e.g. ContinuousArchive): an operator naming another kind of job
     * is told which jobs qualify.
     */
    public JobSpec jobWith(String name, Class<?> capability) {
        JobSpec job = job(name);
        if (sources.get(job.source()).capability(capability).isEmpty()) {
            List<String> qualifying = jobsWith(capability).stream().map(JobSpec::name).toList();
            String what = capability.getSimpleName().replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT);
            throw new IllegalArgumentException("job '" + name + "' is a " + job.source() + " job, which has no " + what
                    + "; jobs that have one: " + (qualifying.isEmpty() ? "none" : String.join(", ", qualifying)));
        }
        return job;
    }

    /** The jobs whose source has this capability (e.g. ContinuousArchive), in declaration order. */
    public List<JobSpec> jobsWith(Class<?> capability) {
        return jobs().stream().filter(job -> sources.get(job.source()).capability(capability).isPresent()).toList();
    }

    /** The job's source's capability of this type, if it has it. */
    public <T> Optional<T> capability(JobSpec job, Class<T> type) {
        return sources.get(job.source()).capability(type);
    }

    public Optional<JobSpec> find(String name) {
        return Optional.ofNullable(load().get(name));
    }

    /** Checks every job (cron, stores, source parameters and tools); the first problem is thrown. */
    public void validateAll() {
        for (JobSpec job : load().values()) {
            CronCheck.problem(job.cron()).ifPresent(problem -> {
                throw new ConfigException(job.where("cron"), problem, "correct the cron in the route file");
            });
            if (job.stores().isEmpty()) {
                throw new ConfigException(job.where("stores"), "no store given", "name stores from mking.stores: "
                        + String.join(", ", stores.names()));
            }
            for (String store : job.stores()) {
                if (!stores.contains(store)) {
                    throw new ConfigException(job.where("stores"), "unknown store '" + store + "'",
                            "use stores defined in mking.stores (" + String.join(", ", stores.names())
                                    + ") or define mking.store." + store + ".type");
                }
            }
            RemoteShell.validate(job);
            for (String rule : List.of("keepLast", "keepDaily", "keepWeekly", "keepMonthly", "keepYearly")) {
                job.parameter(rule).filter(value -> !Pruner.isValidRule(value)).ifPresent(value -> {
                    throw new ConfigException(job.where(rule), "'" + value + "' is not a count",
                            "use a whole number (0 switches the rule off), optionally per store: \"30, local=3\"");
                });
            }
            for (String count : List.of("staleAfterHours", "minCopies")) {
                job.parameter(count).filter(value -> !value.matches("\\d{1,6}")).ifPresent(value -> {
                    throw new ConfigException(job.where(count), "'" + value + "' is not a count", "use a whole number");
                });
            }
            Source source = sources.get(job.source());
            for (Source.Parameter parameter : source.parameters()) {
                parameter.problem(job.parameters().get(parameter.name())).ifPresent(problem -> {
                    throw new ConfigException(job.where(parameter.name()), problem, parameter.description());
                });
            }
            source.validate(job);
        }
    }

    /**
     * Stores named in {@code mking.stores} that no job writes to, when there are jobs: a job whose {@code stores} parameter
     * is left out uses its template's default ({@code local}), so a store added only to {@code mking.stores} silently
     * receives nothing. The operator is warned (nothing fails: such a store may be there for restores alone).
     */
    public List<String> unusedStores() {
        if (load().isEmpty()) {
            return List.of();
        }
        List<String> unused = new ArrayList<>(stores.names());
        load().values().forEach(job -> unused.removeAll(job.stores()));
        return unused;
    }

    /** Next time the job's cron fires after {@code after}, or empty when it never fires again. */
    public static Optional<Date> nextFire(JobSpec job, Date after) {
        try {
            return Optional.ofNullable(new CronExpression(job.cron()).getNextValidTimeAfter(after));
        } catch (java.text.ParseException e) {
            return Optional.empty();
        }
    }

    private Map<String, JobSpec> load() {
        if (jobs == null) {
            Map<String, JobSpec> found = new LinkedHashMap<>();
            String routesDir = context.getPropertiesComponent().resolveProperty("mking.routes-dir").orElse("routes");
            Map<String, java.nio.file.Path> routeFiles = com.mking.backup.config.RouteFileJobs
                    .readQuietly(java.nio.file.Path.of(routesDir));
            for (RouteDefinition route : ((ModelCamelContext) context).getRouteDefinitions()) {
                sourceKind(route).ifPresent(kind -> {
                    JobSpec job = toJob(route, sources.get(kind), context, routeFileOf(route, routeFiles, routesDir));
                    found.put(job.name(), job);
                });
            }
            jobs = found;
        }
        return jobs;
    }

    private static Optional<String> sourceKind(RouteDefinition route) {
        if (route.getRouteProperties() == null) {
            return Optional.empty();
        }
        return route.getRouteProperties().stream().filter(p -> SOURCE_PROPERTY.equals(p.getKey()))
                .map(PropertyDefinition::getValue).findFirst();
    }

    /** The route file a job comes from (a templated route does not know its file: it is found by the job's name). */
    private static String routeFileOf(RouteDefinition route, Map<String, java.nio.file.Path> routeFiles, String routesDir) {
        if (route.getResource() != null) {
            return route.getResource().getLocation().replaceFirst("^file:", "");
        }
        java.nio.file.Path file = routeFiles.get(route.getRouteId());
        return file != null ? file.toString() : routesDir + "/*.yaml";
    }

    /** A parameter the template does not have is a typo (keeplast, store): it would be silently ignored. */
    private static void requireKnownParameters(RouteDefinition route, java.util.Set<String> given, String routeFile,
                                               CamelContext context) {
        org.apache.camel.model.RouteTemplateDefinition template = sourceKind(route)
                .map(kind -> ((ModelCamelContext) context).getRouteTemplateDefinition(kind)).orElse(null);
        if (template == null || template.getTemplateParameters() == null) {
            return;
        }
        List<String> known = template.getTemplateParameters().stream()
                .map(org.apache.camel.model.RouteTemplateParameterDefinition::getName).toList();
        for (String name : given) {
            // the YAML DSL also keeps a dashed alias of each name (binDir and bin-dir)
            if (!known.contains(name) && !known.contains(org.apache.camel.util.StringHelper.dashToCamelCase(name))) {
                String where = routeFile + " job '" + route.getRouteId() + "' parameter '" + name + "'";
                throw new ConfigException(where, "unknown parameter of a " + template.getId() + " job",
                        ConfigCheck.closest(name, known).map(c -> "did you mean '" + c + "'? ")
                                .orElse("") + "the parameters are: " + String.join(", ", known));
            }
        }
    }

    /** Parameter values may use property placeholders ({@code {{mking.pg.host:127.0.0.1}}}); they are resolved here. */
    private static JobSpec toJob(RouteDefinition route, Source source, CamelContext context, String routeFile) {
        Map<String, String> parameters = new LinkedHashMap<>();
        source.parameters().forEach(p -> {
            if (p.defaultValue() != null) {
                parameters.put(p.name(), p.defaultValue());
            }
        });
        Map<String, Object> given = route.getTemplateParameters() == null ? Map.of() : route.getTemplateParameters();
        requireKnownParameters(route, given.keySet(), routeFile, context);
        given.forEach((key, value) -> parameters.put(key, value == null ? "" : context.resolvePropertyPlaceholders(value.toString())));
        // known before any tool starts: no other tool gets this job's password through the environment it inherits
        com.mking.backup.exec.ToolEnvironment.holdsASecret(parameters.get("passwordEnv"));
        List<String> storeNames = new ArrayList<>(Arrays.stream(parameters.getOrDefault("stores", "").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList());
        return new JobSpec(route.getRouteId(), source.kind(), parameters.getOrDefault("cron", "").trim(), storeNames,
                Map.copyOf(parameters), routeFile);
    }
}
