package com.mking.backup.source;

import com.mking.backup.config.ConfigException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every source kind the runtime knows ({@link SourceFactory} services); route templates are generated from it. */
public final class SourceRegistry {

    private final Map<String, Source> sources = new LinkedHashMap<>();

    public SourceRegistry(List<Source> sources) {
        sources.forEach(source -> this.sources.put(source.kind(), source));
    }

    /** One source of each kind listed as a {@link SourceFactory} service. */
    public static SourceRegistry load(SourceFactory.Context context) {
        List<Source> found = new java.util.ArrayList<>();
        for (SourceFactory factory : java.util.ServiceLoader.load(SourceFactory.class, SourceRegistry.class.getClassLoader())) {
            found.add(factory.create(context));
        }
        return new SourceRegistry(found);
    }

    public List<Source> all() {
        return List.copyOf(sources.values());
    }

    public Source get(String kind) {
        Source source = sources.get(kind);
        if (source == null) {
            throw new ConfigException("source '" + kind + "'", "unknown source kind",
                    "use one of " + String.join(", ", sources.keySet()));
        }
        return source;
    }
}
