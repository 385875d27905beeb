package com.mking.backup.observe;

import com.mking.backup.store.Store;
import com.mking.backup.store.StoreRegistry;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import javax.sql.DataSource;
import java.sql.Connection;
import java.util.List;
import java.util.Map;

/** Health checks on the daemon's management endpoint ({@code /observe/health}): the audit database and each store. */
public final class HealthChecks {

    private HealthChecks() {
    }

    public static List<AbstractHealthCheck> all(DataSource audit, StoreRegistry stores) {
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
        return checks;
    }
}
