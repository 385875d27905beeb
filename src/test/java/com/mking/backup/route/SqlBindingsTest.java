package com.mking.backup.route;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The audit statements (src/main/resources/sql, run by camel-sql) read typed objects by property name: a statement
 * declares the type behind each object it reads ({@code -- binds: exchangeProperty.run = com.mking.backup.job.BackupRun}),
 * and every {@code ${...}} it reads must be a getter of that type. A renamed field fails here, not at 3 a.m.
 */
class SqlBindingsTest {

    private static final Pattern BINDS = Pattern.compile("^-- binds: (\\S+) = (\\S+)$", Pattern.MULTILINE);
    private static final Pattern READ = Pattern.compile("\\$\\{(body|exchangeProperty\\.run|exchangeProperty\\.restore)\\.(\\w+)}");

    @Test
    void everyObjectAStatementReadsIsDeclaredAndEveryPropertyItReadsExists() throws Exception {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/sql"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".sql")).sorted().toList()) {
                String sql = Files.readString(file);
                Map<String, Class<?>> declared = new LinkedHashMap<>();
                Matcher binds = BINDS.matcher(sql);
                while (binds.find()) {
                    declared.put(binds.group(1), Class.forName(binds.group(2)));
                }
                Matcher read = READ.matcher(sql);
                while (read.find()) {
                    Class<?> type = declared.get(read.group(1));
                    if (type == null) {
                        problems.add(file.getFileName() + " reads ${" + read.group(1) + "." + read.group(2)
                                + "} but declares no '-- binds: " + read.group(1) + " = <class>'");
                    } else if (!hasProperty(type, read.group(2))) {
                        problems.add(file.getFileName() + " reads " + read.group(2) + ", which " + type.getName() + " does not have");
                    }
                    checked++;
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(checked).as("properties checked").isGreaterThan(50);
    }

    @Test
    void aRenamedPropertyIsCaught() {
        assertThat(hasProperty(com.mking.backup.job.BackupRun.class, "backupId")).isTrue();
        assertThat(hasProperty(com.mking.backup.job.StoredCopy.class, "store")).isTrue();
        assertThat(hasProperty(com.mking.backup.job.BackupRun.class, "backupIdentifier")).isFalse();
    }

    /** What Camel's simple language resolves {@code ${x.name}} to: getName(), isName() or name(), public, no arguments. */
    private static boolean hasProperty(Class<?> type, String name) {
        String capitalized = Character.toUpperCase(name.charAt(0)) + name.substring(1);
        for (Method method : type.getMethods()) {
            if (method.getParameterCount() == 0 && Modifier.isPublic(method.getModifiers())
                    && (method.getName().equals("get" + capitalized) || method.getName().equals("is" + capitalized)
                    || method.getName().equals(name))) {
                return true;
            }
        }
        return false;
    }
}
