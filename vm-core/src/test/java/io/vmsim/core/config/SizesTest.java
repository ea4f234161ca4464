package io.vmsim.core.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class SizesTest {
    @ParameterizedTest
    @CsvSource({"4096,4096", "64K,65536", "64k,65536", "2M,2097152", "16G,17179869184", "1T,1099511627776",
            "64KiB,65536", "2mb,2097152", "4096B,4096", "' 8 K ',8192"})
    void parse_acceptsBinaryUnitsAndSuffixes(String text, long bytes) {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lots", "", "1.5G", "-4K", "4X", "99999999999T"})
    void parse_rejectsWhatIsNotASize(String text) {
        assertThatThrownBy(() -> Sizes.parse(text)).isInstanceOf(NumberFormatException.class);
    }

    @Test
    void format_usesTheLargestExactUnit() {
        assertThat(Sizes.format(4L << 30)).isEqualTo("4G");
        assertThat(Sizes.format(1536 << 10)).isEqualTo("1536K");
        assertThat(Sizes.format(100)).isEqualTo("100");
    }
}
