package com.mking.backup.source.postgres;

import com.mking.backup.job.JobSpec;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A PostgreSQL job's {@code testQueries} (semicolon-separated; each must answer true or a number above 0, as the plan's
 * {@code SELECT COUNT(*) FROM users}), run against a restored database by the restore tests.
 */
public final class TestQueries {

    private TestQueries() {
    }

    /** Runs every query; a summary of what each answered, or an IOException naming the one that failed. */
    public static String run(JobSpec job, Connection connection) throws SQLException, IOException {
        List<String> passed = new ArrayList<>();
        for (String query : job.parameter("testQueries", "SELECT 1").split(";")) {
            if (query.isBlank()) {
                continue;
            }
            try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(query.trim())) {
                String value = row.next() ? row.getString(1) : null;
                boolean ok = value != null && (value.equals("t") || value.equals("true") || isPositive(value));
                if (!ok) {
                    throw new IOException("check failed: " + query.trim() + " returned " + value);
                }
                passed.add(query.trim() + " = " + value);
            }
        }
        return String.join("; ", passed);
    }

    private static boolean isPositive(String value) {
        try {
            return Double.parseDouble(value) > 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
