package io.vmsim.core.sweep;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What running one point gave: its status, its error if it failed, its metrics, and the text of
 * its per-point file ({@code points/HASH.json}, or {@code points/HASH.error.json} when failed).
 *
 * @param index   the point's index
 * @param hash    the point's hash
 * @param ok      true if the run finished
 * @param error   why it failed (one line), or null
 * @param metrics the main figures, by name, in sorted name order ({@link Metrics}); empty when failed
 * @param raw     the per-point file's JSON text
 */
public record PointResult(int index, String hash, boolean ok, String error, Map<String, Object> metrics, String raw)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    public PointResult {
        metrics = new LinkedHashMap<>(metrics);
    }
}
