package com.mking.backup.export;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Sizes as operators write them, and how an export is split into volumes (pure arithmetic). */
class VolumePlanTest {

    @Test
    void sizesAreDecimalUnlessBinaryIsSaid() {
        assertThat(ByteSize.parse("4.7G", "--volume-size")).isEqualTo(4_700_000_000L);
        assertThat(ByteSize.parse("4GiB", "--volume-size")).isEqualTo(4L << 30);
        assertThat(ByteSize.parse("700M", "--volume-size")).isEqualTo(700_000_000L);
        assertThat(ByteSize.parse("25000", "--volume-size")).isEqualTo(25_000L);
        assertThat(ByteSize.parse("1.5 kb", "--volume-size")).isEqualTo(1_500L);
        assertThatThrownBy(() -> ByteSize.parse("4.7 gallons", "--volume-size")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--volume-size 4.7 gallons is not a size").hasMessageContaining("4.7G");
        assertThatThrownBy(() -> ByteSize.parse("0", "--volume-size")).hasMessageContaining("above zero");
        assertThat(ByteSize.ceil(4_612_345_678L)).isEqualTo("4.7G");
        assertThat(ByteSize.parse(ByteSize.ceil(4_612_345_678L), "x")).isGreaterThanOrEqualTo(4_612_345_678L);
    }

    @Test
    void filesKeepTheirOrderAndAreNeverSplit() {
        List<VolumePlan.Item> items = List.of(item("a/data", 600), item("a/manifest.json", 50), item("b/data", 500),
                item("b/manifest.json", 50), item("c/data", 100));
        List<List<VolumePlan.Item>> volumes = VolumePlan.plan(items, 1000, 100, "--volume-size");
        assertThat(volumes).hasSize(2);
        assertThat(volumes.get(0)).extracting(VolumePlan.Item::key).containsExactly("a/data", "a/manifest.json");
        assertThat(volumes.get(1)).extracting(VolumePlan.Item::key).containsExactly("b/data", "b/manifest.json", "c/data");
        for (List<VolumePlan.Item> volume : volumes) {
            long used = 100 + volume.stream().mapToLong(i -> i.size() + Sha256Listing.lineLength(i.key())).sum();
            assertThat(used).isLessThanOrEqualTo(1000);
        }
        assertThat(VolumePlan.directory(2)).isEqualTo("vol-002");
    }

    @Test
    void aFileLargerThanAVolumeIsNamedWithTheSizeNeeded() {
        List<VolumePlan.Item> items = List.of(item("a/data", 600), item("big/base.tar.zst.enc", 5_000), item("c/data", 10));
        assertThatThrownBy(() -> VolumePlan.plan(items, 1000, 100, "--volume-size"))
                .isInstanceOf(VolumePlan.TooLargeException.class)
                .hasMessageContaining("big/base.tar.zst.enc (backup x) is 5000 bytes")
                .hasMessageContaining("never split").hasMessageContaining("--volume-size 5.2K or more");
    }

    private static VolumePlan.Item item(String key, long size) {
        return new VolumePlan.Item(key, size, "backup x");
    }
}
