package io.vmsim.cli.report;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Compact JSON for the reports: writes trees of maps (in iteration order), lists, arrays,
 * strings, numbers, booleans and nulls on one line, and reads one JSON value (the lines of a
 * sweep's {@code results.jsonl}) into the same kind of tree. Numbers are written as Java prints
 * them, so the same data give the same bytes.
 */
public final class Json {
    private Json() {
    }

    /**
     * An ordered object of key, value pairs ({@code Map.of} iterates in an order that changes
     * from one JVM to the next, which would make two writes of a report differ).
     */
    static Map<String, Object> obj(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** {@code value} as compact JSON. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder(1024);
        write(sb, value);
        return sb.toString();
    }

    static void write(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            string(sb, s);
        } else if (v instanceof Double d) {
            sb.append(d.isNaN() || d.isInfinite() ? "null" : number(d));
        } else if (v instanceof Float f) {
            write(sb, (double) f);
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                string(sb, String.valueOf(e.getKey()));
                sb.append(':');
                write(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof Iterable<?> it) {
            sb.append('[');
            boolean first = true;
            for (Object o : it) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                write(sb, o);
            }
            sb.append(']');
        } else if (v instanceof long[] a) {
            sb.append('[');
            for (int i = 0; i < a.length; i++) {
                sb.append(i == 0 ? "" : ",").append(a[i]);
            }
            sb.append(']');
        } else if (v instanceof double[] a) {
            sb.append('[');
            for (int i = 0; i < a.length; i++) {
                sb.append(i == 0 ? "" : ",");
                write(sb, a[i]);
            }
            sb.append(']');
        } else {
            string(sb, v.toString());
        }
    }

    /** A double without a needless ".0" and never in a locale's format. */
    static String number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return Double.toString(d);
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                // '<' and '>' escaped so that the JSON can sit inside a <script> element
                case '<' -> sb.append("\\u003c");
                case '>' -> sb.append("\\u003e");
                case '&' -> sb.append("\\u0026");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /**
     * Parses one JSON value: objects become {@link java.util.LinkedHashMap}s, arrays
     * {@link java.util.ArrayList}s, integers {@link Long}s, other numbers {@link Double}s; the
     * sweep's own reader ({@link io.vmsim.core.sweep.Json#parse}), so that a report reads
     * {@code results.jsonl} exactly as the sweep wrote it.
     *
     * @throws IllegalArgumentException naming the offset of malformed input
     */
    public static Object parse(String text) {
        return io.vmsim.core.sweep.Json.parse(text);
    }
}
