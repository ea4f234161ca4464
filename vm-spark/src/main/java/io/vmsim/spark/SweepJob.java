package io.vmsim.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The main class for {@code spark-submit}: {@code vmsim sweep} with {@code --engine spark}, the
 * master coming from {@code spark-submit --master} (or {@code --master} after the jar):
 * <pre>
 * spark-submit --master spark://host:7077 --class io.vmsim.spark.SweepJob \
 *     --jars "$(ls vm-spark/target/lib/*.jar | paste -sd,)" vm-spark/target/vm-spark-0.1.0-SNAPSHOT.jar \
 *     --scenario workingset --vary policy.reclaim=lru,linux-2list --vary machine.memory=48M,64M --out sweep-out
 * </pre>
 * The output folder is written on the driver's machine.
 */
public final class SweepJob {
    private SweepJob() {
    }

    public static void main(String[] args) {
        List<String> all = new ArrayList<>(List.of("sweep"));
        if (!Arrays.asList(args).contains("--engine")) {
            all.addAll(List.of("--engine", "spark"));
        }
        all.addAll(Arrays.asList(args));
        io.vmsim.cli.Main.main(all.toArray(String[]::new));
    }
}
