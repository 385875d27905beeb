package com.mking.backup.route;

/** camel-sql endpoint URIs for the statements in {@code src/main/resources/sql}. */
final class Sql {

    private Sql() {
    }

    /** A statement whose result replaces nothing: the body and headers pass through. */
    static String update(String statement) {
        return base(statement) + "&noop=true";
    }

    /** A statement returning one value (e.g. {@code INSERT ... RETURNING id}) into a header. */
    static String returning(String statement, String header) {
        return base(statement) + "&outputType=SelectOne&outputHeader=" + header;
    }

    /** A query whose rows (a list of maps) become the body. */
    static String query(String statement) {
        return base(statement) + "&outputType=SelectList";
    }

    private static String base(String statement) {
        return "sql:classpath:sql/" + statement + ".sql?dataSource=#auditDataSource";
    }
}
