package io.vmsim.core.trace;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Which decoder reads an xz-compressed lackey file. By default the first that works of
 * {@link Kind#NATIVE} (liblzma in this process, {@link NativeXz}: the JVM needs
 * {@code --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED}, as the
 * {@code vmsim} launcher gives it, and liblzma.so.5 must load), {@link Kind#XZ} (the system's
 * {@code xz -dc} as a process, {@link XzProcess}) and {@link Kind#JAVA} (xz-java). The
 * environment variable {@code VMSIM_XZ} (or the system property {@code vmsim.xz}) set to
 * {@code native}, {@code xz} or {@code java} forces one; a forced one that cannot work fails
 * with a message that says why. The references are the same whichever decodes.
 */
final class XzDecoder {
    /** The decoders. */
    enum Kind {
        NATIVE, XZ, JAVA
    }

    private static final String MODULE = "jdk.incubator.foreign";

    private XzDecoder() {
    }

    /**
     * The decoder {@code VMSIM_XZ} (or {@code vmsim.xz}) asks for, or the first usable one.
     *
     * @throws IOException if the one asked for cannot work here, or the value is unknown
     */
    static Kind choose() throws IOException {
        String choice = System.getProperty("vmsim.xz", System.getenv("VMSIM_XZ"));
        String c = choice == null ? "" : choice.trim().toLowerCase(Locale.ROOT);
        switch (c) {
            case "", "auto" -> {
                return nativeUnavailable() == null ? Kind.NATIVE : XzProcess.executable() != null ? Kind.XZ : Kind.JAVA;
            }
            case "native" -> {
                String why = nativeUnavailable();
                if (why != null) {
                    throw new IOException("VMSIM_XZ=native: liblzma cannot be used: " + why);
                }
                return Kind.NATIVE;
            }
            case "xz" -> {
                if (XzProcess.executable() == null) {
                    throw new IOException("VMSIM_XZ=xz: no xz executable on the PATH");
                }
                return Kind.XZ;
            }
            case "java" -> {
                return Kind.JAVA;
            }
            default -> throw new IOException("VMSIM_XZ=" + choice + ": expected native, xz or java (or unset: the first"
                    + " that works)");
        }
    }

    /** Why the native decoder cannot be used, or null if it can. */
    static String nativeUnavailable() {
        return Native.UNAVAILABLE;
    }

    /** Starts decoding {@code file} with liblzma; only when {@link #nativeUnavailable()} is null. */
    static ChunkSource openNative(Path file, String source) throws IOException {
        return openNative(file, source, 0L);
    }

    /**
     * The same, the decoder allowed {@code headStartBytes} of buffers beyond its ring before its
     * first chunk is taken (a decoder started before its reader: {@link TraceFormats#prefetch}).
     */
    static ChunkSource openNative(Path file, String source, long headStartBytes) throws IOException {
        if (Native.UNAVAILABLE != null) {
            throw new IOException("liblzma cannot be used: " + Native.UNAVAILABLE);
        }
        try {
            return (ChunkSource) Native.CLASS.getDeclaredConstructor(Path.class, String.class, long.class)
                    .newInstance(file, source, headStartBytes);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("liblzma decoding of " + source + " failed to start: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IOException("liblzma decoding of " + source + " failed to start: " + e, e);
        }
    }

    /**
     * Loads {@link NativeXz} (which names {@code jdk.incubator.foreign}) only when that module
     * is in the boot layer, so that a JVM without it never resolves its classes.
     */
    private static final class Native {
        static final Class<?> CLASS;
        static final String UNAVAILABLE;

        static {
            Class<?> cls = null;
            String why;
            if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
                why = "the " + MODULE + " module is not in the JVM (java --add-modules " + MODULE
                        + " --enable-native-access=ALL-UNNAMED)";
            } else {
                try {
                    cls = Class.forName("io.vmsim.core.trace.NativeXz", true, XzDecoder.class.getClassLoader());
                    why = (String) cls.getDeclaredMethod("unavailable").invoke(null);
                } catch (ReflectiveOperationException | LinkageError e) {
                    Throwable t = e instanceof InvocationTargetException ite ? ite.getCause() : e;
                    why = String.valueOf(t);
                }
            }
            CLASS = why == null ? cls : null;
            UNAVAILABLE = why;
        }
    }
}
