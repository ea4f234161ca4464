package io.vmsim.api.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class ConfigKeyTest {
    @Test
    void rules_readAsTheyAreWrittenInErrorMessages() {
        assertThat(ConfigKey.integer("n", 1, 0, 511, "d").rule()).isEqualTo("an integer in [0, 511]");
        assertThat(ConfigKey.integer("seed", 1, Long.MIN_VALUE, Long.MAX_VALUE, "d").rule()).isEqualTo("an integer");
        assertThat(ConfigKey.integer("kb", 0, 0, Long.MAX_VALUE, "d").rule()).isEqualTo("an integer >= 0");
        assertThat(ConfigKey.size("m", "4G", 16L << 20, 1L << 40, "d").rule())
                .isEqualTo("a size in bytes (e.g. 4096, 64K, 2M, 16G) in [16M, 1T]");
        assertThat(ConfigKey.oneOf("e", "never", List.of("always", "never"), "d").rule()).isEqualTo("one of always, never");
    }

    @Test
    void anEnumWhoseDefaultIsNotAllowed_isRejected() {
        assertThatThrownBy(() -> ConfigKey.oneOf("e", "sometimes", List.of("always", "never"), "d"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sometimes");
    }
}
