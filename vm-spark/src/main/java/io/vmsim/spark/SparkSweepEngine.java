package io.vmsim.spark;

import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.plugin.PolicyCatalog;
import io.vmsim.core.plugin.PolicyRegistry;
import io.vmsim.core.sweep.PointResult;
import io.vmsim.core.sweep.PointRunner;
import io.vmsim.core.sweep.SweepEngine;
import io.vmsim.core.sweep.SweepJob;
import io.vmsim.core.sweep.SweepPoint;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * {@code vmsim sweep --engine spark}: the unfinished points become one Spark job, one task per
 * point, in batches of four tasks per core of the cluster ({@code defaultParallelism}); the
 * driver writes each batch's point files as it comes back, so a sweep killed mid-way loses at
 * most the batch in flight. The files the points read travel with the job: the plugin folder
 * whole, zipped through {@code SparkContext.addArchive} (so each plugin keeps its own class
 * loader and library folder, which {@code addJar} onto Spark's class path would not give), the
 * traces, scenario files and the config file through {@link JavaSparkContext#addFile}; a worker
 * finds its copies with {@link SparkFiles}.
 * The results are written by the driver exactly as the local engine writes them.
 */
public final class SparkSweepEngine implements SweepEngine {
    /** Tasks per batch, per core of the cluster. */
    static final int BATCH_PER_CORE = 4;

    /** Each worker JVM's policy catalogs, by the folder they were loaded from. */
    private static final Map<String, PolicyRegistry> CATALOGS = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public void run(SweepJob job, List<SweepPoint> points, PolicyCatalog catalog, Options options,
                    Consumer<PointResult> done) throws IOException {
        SparkConf conf = new SparkConf().setAppName("vmsim sweep");
        if (options.master() != null) {
            conf.setMaster(options.master());
        } else if (!conf.contains("spark.master")) {
            throw new IllegalArgumentException("--engine spark needs a master: --master local[2] or spark://host:7077,"
                    + " or spark-submit --master");
        }
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            HashMap<String, String> shipped = new HashMap<>();
            Path plugins = pluginsDir(job);
            if (Files.isDirectory(plugins)) {
                shipFolder(sc, plugins, shipped);
            }
            for (SweepJob.Workload w : job.workloads()) {
                if (Files.isRegularFile(Path.of(w.ref()))) {
                    ship(sc, w.ref(), shipped, false);
                }
            }
            if (job.configFile() != null) {
                ship(sc, job.configFile(), shipped, false);
            }
            String pluginsKey = plugins.toString();
            int batch = Math.max(1, sc.defaultParallelism() * BATCH_PER_CORE);
            for (int from = 0; from < points.size(); from += batch) {
                List<SweepPoint> part = new ArrayList<>(points.subList(from, Math.min(points.size(), from + batch)));
                List<PointResult> results = sc.parallelize(part, part.size())
                        .map(p -> runOnWorker(job, p, shipped, pluginsKey)).collect();
                results.forEach(done);
            }
        }
    }

    /** Runs one point in a worker: its policy catalog from the shipped plugin folder, its files from SparkFiles. */
    static PointResult runOnWorker(SweepJob job, SweepPoint p, Map<String, String> shipped, String pluginsKey) {
        String plugins = shipped.containsKey(pluginsKey) ? SparkFiles.get(shipped.get(pluginsKey)) : pluginsKey;
        PolicyRegistry catalog = CATALOGS.computeIfAbsent(plugins, d -> PolicyRegistry.load(Path.of(d)));
        return PointRunner.run(job, p, catalog, path -> shipped.containsKey(path) ? SparkFiles.get(shipped.get(path)) : path);
    }

    /** The plugin folder the sweep's catalog came from, as {@code vmsim sweep} chose it. */
    static Path pluginsDir(SweepJob job) {
        if (job.pluginsDir() != null) {
            return Path.of(job.pluginsDir());
        }
        String dir = "./plugins"; // CoreKeys' default of vmsim.plugins.dir
        for (String s : job.sets()) {
            if (s.startsWith(CoreKeys.PLUGINS_DIR + "=")) {
                dir = s.substring(CoreKeys.PLUGINS_DIR.length() + 1).trim();
            }
        }
        return Path.of(dir);
    }

    private static void ship(JavaSparkContext sc, String path, Map<String, String> shipped, boolean folder) {
        Path abs = Path.of(path).toAbsolutePath().normalize();
        String name = abs.getFileName().toString();
        if (shipped.containsValue(name)) {
            throw new IllegalArgumentException("--engine spark ships each file under its name, and two are named '"
                    + name + "'; rename one");
        }
        sc.addFile(abs.toString(), folder);
        shipped.put(path, name);
    }

    /**
     * Ships a folder: Spark's {@code addFile} takes a folder only with a local master, so it goes
     * as a zip through {@code addArchive}, which each worker unpacks into a folder that
     * {@link SparkFiles#get} names.
     */
    private static void shipFolder(JavaSparkContext sc, Path folder, Map<String, String> shipped) throws IOException {
        Path zip = Files.createTempFile("vmsim-plugins-", ".zip");
        zip.toFile().deleteOnExit();
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip));
             Stream<Path> files = Files.walk(folder)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new ZipEntry(folder.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        sc.sc().addArchive(zip.toString());
        shipped.put(folder.toString(), zip.getFileName().toString());
    }
}
