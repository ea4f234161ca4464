package io.vmsim.core.sweep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A sweep's output folder:
 * <ul>
 *   <li>{@code points/HASH.json}: the JSON of each finished point (the run's or study's JSON, with
 *       the point's description and its {@code wall_ms} first); {@code points/HASH.error.json}
 *       for a point that failed;</li>
 *   <li>{@code results.jsonl}: one line per point in the sweep's order, {@code {"point", "index",
 *       "workload", "repeat", "seed", "vary", "status", "error", "metrics"}};</li>
 *   <li>{@code results.csv}: the same rows flattened: {@code point,index,workload,repeat,seed},
 *       one column per varied key, {@code status,error}, then the metrics in sorted name order.</li>
 * </ul>
 * Every file is written to a temporary file in the same folder and renamed over its name, so a
 * sweep killed at any moment leaves each point's file whole or absent.
 */
public final class SweepOutput {
    private final Path dir;
    private final Path points;

    public SweepOutput(Path dir) {
        this.dir = dir;
        this.points = dir.resolve("points");
    }

    public Path dir() {
        return dir;
    }

    /** Creates the folders and removes temporary files a killed sweep left. */
    public void prepare() throws IOException {
        Files.createDirectories(points);
        try (DirectoryStream<Path> s = Files.newDirectoryStream(points, "*.tmp")) {
            for (Path p : s) {
                Files.deleteIfExists(p);
            }
        }
    }

    public Path okFile(String hash) {
        return points.resolve(hash + ".json");
    }

    public Path errorFile(String hash) {
        return points.resolve(hash + ".error.json");
    }

    /** Writes a point's file atomically and removes the other kind (a point that failed before and now ran). */
    public void write(PointResult r) {
        try {
            writeAtomically(r.ok() ? okFile(r.hash()) : errorFile(r.hash()), r.raw());
            Files.deleteIfExists(r.ok() ? errorFile(r.hash()) : okFile(r.hash()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the file of point " + r.hash() + " in " + points, e);
        }
    }

    /**
     * The result of a point that an earlier sweep finished, read back from its file, or null.
     * A file that cannot be read as JSON is taken as unfinished (and the point runs again).
     */
    @SuppressWarnings("unchecked")
    public PointResult finished(SweepPoint p, boolean mrc) throws IOException {
        for (boolean ok : new boolean[] {true, false}) {
            Path f = ok ? okFile(p.hash()) : errorFile(p.hash());
            if (!Files.isRegularFile(f)) {
                continue;
            }
            String text = Files.readString(f, StandardCharsets.UTF_8);
            Map<String, Object> tree;
            try {
                tree = (Map<String, Object>) Json.parse(text);
            } catch (IllegalArgumentException | ClassCastException e) {
                continue;
            }
            if (ok) {
                return new PointResult(p.index(), p.hash(), true, null, mrc ? Metrics.ofMrc(tree) : Metrics.ofRun(tree), text);
            }
            return new PointResult(p.index(), p.hash(), false, String.valueOf(tree.get("error")), Map.of(), text);
        }
        return null;
    }

    /** Writes {@code results.jsonl} and {@code results.csv} for the points, with their results in point order. */
    public void writeResults(List<SweepPoint> pts, List<PointResult> results, List<String> varied) throws IOException {
        StringBuilder jsonl = new StringBuilder();
        TreeSet<String> metricNames = new TreeSet<>();
        for (PointResult r : results) {
            metricNames.addAll(r.metrics().keySet());
        }
        StringBuilder csv = new StringBuilder();
        List<String> header = new ArrayList<>(List.of("point", "index", "workload", "repeat", "seed"));
        header.addAll(varied);
        header.add("status");
        header.add("error");
        header.addAll(metricNames);
        csvRow(csv, header);
        for (int i = 0; i < pts.size(); i++) {
            SweepPoint p = pts.get(i);
            PointResult r = results.get(i);
            Map<String, Object> row = p.describe();
            row.put("status", r.ok() ? "ok" : "failed");
            row.put("error", r.error());
            row.put("metrics", new LinkedHashMap<>(r.metrics()));
            jsonl.append(Json.line(row)).append('\n');
            List<String> cells = new ArrayList<>(List.of(p.hash(), Integer.toString(p.index()), p.workload().label(),
                    Integer.toString(p.repeat()), Long.toString(p.seed())));
            for (String k : varied) {
                cells.add(p.vary().get(k));
            }
            cells.add(r.ok() ? "ok" : "failed");
            cells.add(r.error() == null ? "" : r.error());
            for (String m : metricNames) {
                Object v = r.metrics().get(m);
                cells.add(v == null ? "" : Json.number(v));
            }
            csvRow(csv, cells);
        }
        writeAtomically(dir.resolve("results.jsonl"), jsonl.toString());
        writeAtomically(dir.resolve("results.csv"), csv.toString());
    }

    /** One CSV record (RFC 4180): a field holding a comma, quote or line break is quoted, quotes doubled. */
    private static void csvRow(StringBuilder sb, List<String> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            String c = cells.get(i);
            if (c.indexOf(',') >= 0 || c.indexOf('"') >= 0 || c.indexOf('\n') >= 0 || c.indexOf('\r') >= 0) {
                sb.append('"').append(c.replace("\"", "\"\"")).append('"');
            } else {
                sb.append(c);
            }
        }
        sb.append("\r\n");
    }

    /** Writes {@code text} to {@code target} through a temporary file in its folder and a rename. */
    public static void writeAtomically(Path target, String text) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString() + ".", ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
