package com.mking.backup.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigCheckTest {

    /** The environment is shared with other programs: unknown variables warn, and a configured store's typo is named. */
    @Test
    void environmentTyposOfAConfiguredStoreAreNamedAndTheLaunchersOwnAreKnown(@TempDir Path home) throws Exception {
        Path routes = Files.createDirectory(home.resolve("routes"));
        Path config = Files.writeString(home.resolve("extra.properties"),
                "mking.stores=local,minio\nmking.store.minio.type=minio\n");
        PropertySources sources = PropertySources.load(home, List.of(config), Map.of(
                "MKING_STORE_MINIO_ENDPONT", "http://minio:9000",
                "MKING_STORE_MINIO_SECRET_KEY", "secret-0123456789",
                "MKING_STORE_OFFSITE_ENDPOINT", "http://elsewhere:9000",
                "MKING_NO_CDS", "1"), new Properties());

        List<String> warnings = ConfigCheck.check(sources, routes);

        assertThat(warnings).singleElement().asString().contains("MKING_STORE_MINIO_ENDPONT")
                .contains("did you mean MKING_STORE_MINIO_ENDPOINT?");
    }
}
