package com.mking.backup.restore;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;

import javax.sql.DataSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * An operator's check queries (SQL text from a route file, {@code ;}-separated, as the plan's
 * {@code SELECT COUNT(*) FROM users}) run against a restored database through camel-jdbc, which executes the SQL
 * a message carries: each must answer true or a number above 0.
 */
public final class CheckQueries {

    private final CamelContext context;

    public CheckQueries(CamelContext context) {
        this.context = context;
    }

    /** Runs every query; what each answered, or an IOException naming the first that did not pass. */
    public String run(String queries, DataSource database) throws IOException {
        // camel-jdbc finds its data source by name: this database's, for as long as its queries run
        String name = "check-queries-" + UUID.randomUUID();
        // the first row's first column, whatever else the query returns
        String uri = "jdbc:" + name + "?outputType=SelectList&readSize=1";
        context.getRegistry().bind(name, DataSource.class, database);
        // a template of its own: its cached producer (holding the data source) goes with it
        ProducerTemplate producer = context.createProducerTemplate();
        try {
            List<String> passed = new ArrayList<>();
            for (String query : queries.split(";")) {
                if (query.isBlank()) {
                    continue;
                }
                Object value;
                try {
                    List<?> rows = producer.requestBody(uri, query.trim(), List.class);
                    java.util.Iterator<?> columns = rows == null || rows.isEmpty() ? null
                            : ((java.util.Map<?, ?>) rows.get(0)).values().iterator();
                    value = columns != null && columns.hasNext() ? columns.next() : null; // a SQL NULL is null too
                } catch (CamelExecutionException e) {
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    throw new IOException("check failed: " + query.trim() + ": " + cause.getMessage(), cause);
                }
                if (!passes(value)) {
                    throw new IOException("check failed: " + query.trim() + " returned " + value);
                }
                passed.add(query.trim() + " = " + value);
            }
            return String.join("; ", passed);
        } finally {
            producer.stop();
            context.getRegistry().unbind(name);
            try {
                context.removeEndpoints(uri);
            } catch (Exception e) {
                // a leftover endpoint holds no connection (camel-jdbc opens one per message): nothing to undo
            }
        }
    }

    /** True, or a number above 0 (a count of rows that must be there). */
    static boolean passes(Object value) {
        if (value instanceof Boolean answer) {
            return answer;
        }
        if (value instanceof Number number) {
            return number.doubleValue() > 0;
        }
        if (value == null) {
            return false;
        }
        String text = value.toString();
        try {
            return text.equals("t") || text.equals("true") || Double.parseDouble(text) > 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
