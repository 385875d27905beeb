package com.mking.backup.observe;

import com.mking.backup.store.Store;
import com.mking.backup.store.StoreRegistry;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import javax.sql.DataSource;
import java.sql.Connection;
import java.util.List;
import java.util.Map;

/**
 * Health checks on the daemon's management endpoint ({@code /observe/health}): the audit database, each
 * store, and whether every job has a successful backup inside its window.
 */
public final class HealthChecks {

    private HealthChecks() {
    }

    public static List<AbstractHealthCheck> all(DataSource audit, StoreRegistry stores,
                                                java.util.function.Supplier<List<String>> staleJobs,
                                                java.util.function.Supplier<List<String>> unprotectedJobs) {
        List<AbstractHealthCheck> checks = new java.util.ArrayList<>();
        checks.add(new AbstractHealthCheck("mking", "audit-database") {
            @Override
            protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
                try (Connection connection = audit.getConnection()) {
                    if (connection.isValid(3)) {
                        builder.up();
                    } else {
                        builder.message("audit database connection is not valid").down();
                    }
                } catch (Exception e) {
                    builder.message("audit database unreachable: " + e.getMessage()).error(e).down();
                }
            }
        });
        for (String name : stores.names()) {
            Store store = stores.get(name);
            checks.add(new AbstractHealthCheck("mking", "store-" + name) {
                @Override
                protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
                    try {
                        store.size("health-probe");
                        builder.detail("store", store.describe()).up();
                    } catch (Exception e) {
                        builder.message("store " + name + " unreachable: " + e.getMessage()).down();
                    }
                }
            });
        }
        checks.add(new AbstractHealthCheck("mking", "jobs-fresh") {
            @Override
            protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
                List<String> stale;
                try {
                    stale = staleJobs.get();
                } catch (RuntimeException e) {
                    builder.message("job freshness unknown: the catalog cannot be read").down();
                    return;
                }
                if (stale.isEmpty()) {
                    builder.up();
                } else {
                    builder.message("no recent successful backup: " + String.join(", ", stale)).detail("stale", stale).down();
                }
            }
        });
        checks.add(new AbstractHealthCheck("mking", "jobs-protected") {
            @Override
            protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
                List<String> unprotected = unprotectedJobs.get();
                if (unprotected.isEmpty()) {
                    builder.up();
                } else {
                    builder.message("not protected (see mking-backup check): " + String.join(", ", unprotected))
                            .detail("unprotected", unprotected).down();
                }
            }
        });
        return checks;
    }
}
