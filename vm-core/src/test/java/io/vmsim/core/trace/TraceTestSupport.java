package io.vmsim.core.trace;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/** Resources and slow, obviously-correct reference parsers the tests compare against. */
final class TraceTestSupport {
    static final String SORT = "/traces/sort-prefix.lackey.xz";
    static final String PYTHON = "/traces/python-prefix.lackey.xz";
    static final String CLOUDPHYSICS = "/traces/cloudphysics-prefix.pages.gz";

    /**
     * Whether the system's {@code xz} is on the PATH, for the tests that compare it with the Java
     * decoder. Under CI ({@code CI} set) its absence fails the test, since {@code .ci/run} installs
     * it; elsewhere such a test checks the Java decoder alone.
     */
    static boolean systemXz() {
        if (XzProcess.executable() != null) {
            return true;
        }
        if (System.getenv("CI") != null) {
            throw new AssertionError("xz is not on the PATH; .ci/run installs Debian's xz-utils when it is missing");
        }
        return false;
    }

    /**
     * Whether liblzma can be used in this JVM ({@link XzDecoder#nativeUnavailable()}), for the
     * tests of the native decoder: vm-core's tests run with {@code jdk.incubator.foreign}. Under
     * CI its absence fails the test; elsewhere such a test is skipped (or checks the others).
     */
    static boolean nativeXz() {
        String why = XzDecoder.nativeUnavailable();
        if (why == null) {
            return true;
        }
        if (System.getenv("CI") != null) {
            throw new AssertionError("the native xz decoder cannot be used: " + why);
        }
        return false;
    }

    private static final Pattern LACKEY = Pattern.compile("^\\s*([ILSM])\\s+([0-9a-fA-F]+),(\\d+)\\s*$");

    private TraceTestSupport() {
    }

    static InputStream resource(String name) {
        InputStream in = TraceTestSupport.class.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("missing test resource " + name);
        }
        return in;
    }

    /** The decompressed bytes of a resource. */
    static byte[] plain(String name) throws IOException {
        try (InputStream raw = resource(name);
             InputStream in = name.endsWith(".xz") ? new XZInputStream(raw) : new GZIPInputStream(raw)) {
            return in.readAllBytes();
        }
    }

    /** Lines of a resource as text. */
    static List<String> lines(String name) throws IOException {
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new java.io.ByteArrayInputStream(plain(name)), StandardCharsets.US_ASCII))) {
            for (String l = r.readLine(); l != null; l = r.readLine()) {
                out.add(l);
            }
        }
        return out;
    }

    /** Lackey by regex and String: the reference the byte parser must agree with. */
    static long[] lackeyByRegex(List<String> lines, boolean includeInstructions) {
        List<Long> out = new ArrayList<>();
        for (String l : lines) {
            if (l.isBlank() || l.startsWith("==")) {
                continue;
            }
            Matcher m = LACKEY.matcher(l);
            if (!m.matches()) {
                throw new AssertionError("reference parser rejects '" + l + "'");
            }
            int kind = switch (m.group(1)) {
                case "L" -> TraceReader.LOAD;
                case "S" -> TraceReader.STORE;
                case "M" -> TraceReader.MODIFY;
                default -> TraceReader.INSTR;
            };
            if (kind == TraceReader.INSTR && !includeInstructions) {
                continue;
            }
            out.add(TraceReader.encode(Long.parseLong(m.group(2), 16), kind));
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** Page numbers by Long.parseLong. */
    static long[] pagesByParseLong(List<String> lines) {
        return lines.stream().filter(l -> !l.isBlank())
                .mapToLong(l -> TraceReader.encode(Long.parseLong(l.trim()) << 12, TraceReader.LOAD)).toArray();
    }

    /** Everything a reader yields. */
    static long[] readAll(TraceReader r) throws IOException {
        return PreparsedTrace.load(r).toArray();
    }
}
