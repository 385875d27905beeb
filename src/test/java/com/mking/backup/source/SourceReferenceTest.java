package com.mking.backup.source;

import com.mking.backup.support.CliResult;
import com.mking.backup.support.TestInstallation;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One schema per source: the README's parameter tables are what the sources say of themselves (regenerate with
 * {@code mking-backup sources}), and a value of the wrong type stops the start with the job and parameter named.
 */
class SourceReferenceTest {

    @Test
    void theReadmeShowsEverySourcesParametersAsTheSchemaSaysThem() throws Exception {
        SourceRegistry sources = SourceReference.sources();
        {
            assertThat(sources.all()).extracting(Source::kind).containsExactly("pg-logical", "pg-physical", "redis", "git", "files", "sysconfig", "code");
            String reference = SourceReference.markdown(sources.all());
            Files.writeString(Path.of("target/source-parameters.md"), reference);
            assertThat(Files.readString(Path.of("README.md"))).as("README.md's parameter tables (target/source-parameters.md "
                    + "holds the current ones)").contains(reference);
            for (Source source : sources.all()) {
                for (Source.Parameter parameter : source.parameters()) {
                    assertThat(parameter.problem(parameter.example())).as(source.kind() + " " + parameter.name()
                            + ": its own example fits").isEmpty();
                    assertThat(parameter.problem(parameter.defaultValue())).as(source.kind() + " " + parameter.name()
                            + ": its default fits").isEmpty();
                }
            }
        }
    }

    @Test
    void aValueOfTheWrongTypeNamesTheJobAndParameter() throws Exception {
        TestInstallation installation = new TestInstallation();
        try {
            installation.withJob("redis", "cache", Map.of("port", "63x79"));
            CliResult port = installation.cli("list");
            assertThat(port.exitCode()).isEqualTo(2);
            assertThat(port.err()).contains("job 'cache' parameter 'port'").contains("'63x79' is not a port number");
            installation.withJob("redis", "cache", Map.of("tls", "yes"));
            CliResult flag = installation.cli("list");
            assertThat(flag.exitCode()).isEqualTo(2);
            assertThat(flag.err()).contains("parameter 'tls'").contains("true or false");
            installation.withJob("redis", "cache", Map.of("saveTimeoutSeconds", "10m"));
            assertThat(installation.cli("list").err()).contains("parameter 'saveTimeoutSeconds'").contains("a whole number");
            installation.withJob("redis", "cache", Map.of("tls", "TRUE", "port", "{{mking.test.redis-port:6380}}"));
            CliResult fine = installation.cli("list");
            assertThat(fine.exitCode()).as(fine.all()).isEqualTo(0);
            installation.withJob("redis", "cache", Map.of("method", "bgsav"));
            CliResult method = installation.cli("list");
            assertThat(method.exitCode()).isEqualTo(2);
            assertThat(method.err()).contains("parameter 'method'").contains("one of bgsave, rdb-pull");
        } finally {
            installation.close();
        }
    }
}
