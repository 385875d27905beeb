package com.mking.backup.pipeline;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArtefactStagesTest {

    @Test
    void stagesWrapInTheOrderTheyWereAddedAndCountWhatEachTookAndGave() throws Exception {
        ArtefactStages stages = new ArtefactStages().checksum().add("compress", GZIPOutputStream::new);
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        byte[] raw = "the same line again\n".repeat(5000).getBytes(StandardCharsets.UTF_8);
        try (OutputStream chain = stages.join(stored)) {
            chain.write(raw);
        }

        assertThat(stages.rawDigest().count()).isEqualTo(raw.length);
        assertThat(stages.rawDigest().sha256()).isEqualTo(Sha256.hex(Sha256.newDigest().digest(raw)));
        List<ArtefactStages.Statistics> statistics = stages.statistics();
        assertThat(statistics).extracting(ArtefactStages.Statistics::stage)
                .containsExactly("tool", "checksum", "compress", "stores");
        assertThat(statistics.get(1).bytesIn()).isEqualTo(raw.length);
        assertThat(statistics.get(2).bytesIn()).isEqualTo(raw.length);
        assertThat(statistics.get(2).bytesOut()).isEqualTo(stored.size()).isLessThan(raw.length / 20);
        assertThat(statistics.get(3).bytesIn()).isEqualTo(stored.size());
        assertThat(statistics).allSatisfy(stage -> assertThat(stage.nanos()).isNotNegative());
    }

    @Test
    void nothingIsWrappedUntilTheDataFlows() throws Exception {
        ArtefactStages stages = new ArtefactStages().checksum();
        stages.add("compress", out -> {
            throw new AssertionError("wrapped before join");
        });
        assertThat(stages.names()).containsExactly("checksum", "compress");
    }

    @Test
    void aChainWithoutTheRawChecksumIsRefusedAndStagesCannotBeAddedOnceJoined() throws Exception {
        assertThatThrownBy(() -> new ArtefactStages().add("compress", GZIPOutputStream::new).join(new ByteArrayOutputStream()))
                .hasMessageContaining("the first stage is not the checksum");
        assertThatThrownBy(() -> new ArtefactStages().add("compress", GZIPOutputStream::new).checksum()
                .join(new ByteArrayOutputStream())).as("a checksum of compressed bytes is not the raw SHA-256")
                .hasMessageContaining("the first stage is not the checksum");
        ArtefactStages joined = new ArtefactStages().checksum();
        joined.join(new ByteArrayOutputStream());
        assertThatThrownBy(() -> joined.add("encrypt", out -> out)).hasMessageContaining("after the data started flowing");
    }
}
