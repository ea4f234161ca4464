package io.vmsim.core;

import io.vmsim.core.conformance.ConformanceRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The kernel recordings kept under the repository's {@code conformance/}, found from the tests' working directory. */
final class Recordings {
    private Recordings() {
    }

    /** The file at {@code relative} (as "conformance/kmem/memcg-kmem.json") in the working directory or the nearest one above it that has it. */
    static Path path(String relative) {
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve(relative))) {
            dir = dir.getParent();
        }
        assertThat(dir).as(relative + " above the working directory").isNotNull();
        return dir.resolve(relative);
    }

    /** That file read as JSON ({@link ConformanceRunner#parse}). */
    static Map<String, Object> load(String relative) throws IOException {
        return ConformanceRunner.parse(Files.readString(path(relative)));
    }
}
