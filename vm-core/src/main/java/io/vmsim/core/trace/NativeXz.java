package io.vmsim.core.trace;

import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.lang.ref.Cleaner;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.foreign.CLinker;
import jdk.incubator.foreign.FunctionDescriptor;
import jdk.incubator.foreign.MemoryAccess;
import jdk.incubator.foreign.MemoryAddress;
import jdk.incubator.foreign.MemorySegment;
import jdk.incubator.foreign.ResourceScope;
import jdk.incubator.foreign.SymbolLookup;

/**
 * An xz file decoded in this process by the system's liblzma (xz-utils), called through Java
 * 17's incubating foreign-function API ({@code jdk.incubator.foreign}, JEP 412): no {@code xz}
 * process and no pipe, whose copies through the kernel cost more than the decoding on some
 * machines. The file is memory-mapped and given to {@code lzma_code} whole (with
 * {@code LZMA_FINISH}); a thread of its own decodes into a ring of {@value #RING} native
 * buffers of {@value #OUT} bytes, and the parsing thread copies each into a heap buffer (one
 * bulk copy, carrying the last partial line over) in {@link #next()}. Concatenated streams are
 * decoded one after the other ({@code LZMA_CONCATENATED}), as {@code xz -dc} does.
 *
 * <p>This is the only class that names {@code jdk.incubator.foreign}; {@link XzDecoder} loads
 * it only when that module is in the boot layer ({@code java --add-modules jdk.incubator.foreign
 * --enable-native-access=ALL-UNNAMED}), so the rest runs on a JVM without those options.
 *
 * <p>A failure of liblzma ({@code lzma_ret}) arrives after the whole lines decoded before it:
 * {@code LZMA_BUF_ERROR} (the input ended inside the stream) as an {@link EOFException}, which
 * {@link TextTraceReader#describe} reports as a truncated xz stream; the others
 * ({@code LZMA_DATA_ERROR}, {@code LZMA_FORMAT_ERROR}, ...) as corruption.
 */
final class NativeXz implements ChunkSource {
    /** Bytes per native output buffer. */
    static final int OUT = 1 << 21;
    static final int RING = 4;

    // lzma_stream (lzma/base.h, liblzma 5.x) on a 64-bit platform: pointers, size_t and
    // uint64_t are 8 bytes; 136 bytes in all, LZMA_STREAM_INIT is all zeros.
    private static final long STREAM_BYTES = 136;
    private static final long NEXT_IN = 0;
    private static final long AVAIL_IN = 8;
    private static final long TOTAL_IN = 16;
    private static final long NEXT_OUT = 24;
    private static final long AVAIL_OUT = 32;
    private static final long TOTAL_OUT = 40;
    private static final long ALLOCATOR = 48;

    // lzma_ret (lzma/base.h)
    static final int LZMA_OK = 0;
    static final int LZMA_STREAM_END = 1;
    static final int LZMA_MEM_ERROR = 5;
    static final int LZMA_MEMLIMIT_ERROR = 6;
    static final int LZMA_FORMAT_ERROR = 7;
    static final int LZMA_OPTIONS_ERROR = 8;
    static final int LZMA_DATA_ERROR = 9;
    static final int LZMA_BUF_ERROR = 10;
    static final int LZMA_PROG_ERROR = 11;
    /** lzma_action LZMA_FINISH: all the input is given. */
    private static final int LZMA_FINISH = 3;
    /** lzma_stream_decoder flag (lzma/container.h): decode concatenated streams as one. */
    private static final int LZMA_CONCATENATED = 0x08;

    /**
     * True when this process's glibc advises huge pages for what malloc maps
     * ({@code GLIBC_TUNABLES} holds {@code glibc.malloc.hugetlb=1}, as the {@code vmsim} launcher
     * sets it for {@code mrc} and {@code trace}): liblzma's own allocator then gets the dictionary on
     * huge pages, and {@link HugePages} is neither linked nor used. Linking its libc calls and
     * upcalls took the thread that does it from 0.20 to 0.49 s after the JVM's start, on the way
     * to the first decoded buffer (one run, docs/traces.md).
     */
    static final boolean GLIBC_HUGE_PAGES = glibcAdvisesHugePages(System.getenv("GLIBC_TUNABLES"));

    private static final String UNAVAILABLE;
    private static final String LIBRARY;
    private static final MethodHandle STREAM_DECODER;
    private static final MethodHandle CODE;
    private static final MethodHandle END;
    private static final Cleaner CLEANER = Cleaner.create();

    static {
        // liblzma's allocator links its libc calls meanwhile (HugePages depends on nothing here)
        // (not a lambda: that would be a method of this class, which waits for this initialiser)
        if (!GLIBC_HUGE_PAGES) {
            Thread link = new Thread(HugePages::link, "vmsim-liblzma-allocator");
            link.setDaemon(true);
            link.start();
        }
        String why = null;
        String lib = null;
        MethodHandle decoder = null;
        MethodHandle code = null;
        MethodHandle end = null;
        try {
            if (CLinker.C_POINTER.byteSize() != 8) {
                throw new UnsupportedOperationException("not a 64-bit platform");
            }
            lib = load();
            SymbolLookup lookup = SymbolLookup.loaderLookup();
            CLinker c = CLinker.getInstance();
            decoder = c.downcallHandle(symbol(lookup, "lzma_stream_decoder"),
                    MethodType.methodType(int.class, MemoryAddress.class, long.class, int.class),
                    FunctionDescriptor.of(CLinker.C_INT, CLinker.C_POINTER, CLinker.C_LONG_LONG, CLinker.C_INT));
            code = c.downcallHandle(symbol(lookup, "lzma_code"),
                    MethodType.methodType(int.class, MemoryAddress.class, int.class),
                    FunctionDescriptor.of(CLinker.C_INT, CLinker.C_POINTER, CLinker.C_INT));
            end = c.downcallHandle(symbol(lookup, "lzma_end"),
                    MethodType.methodType(void.class, MemoryAddress.class),
                    FunctionDescriptor.ofVoid(CLinker.C_POINTER));
        } catch (IllegalCallerException e) {
            why = "native access is not enabled (java --enable-native-access=ALL-UNNAMED): " + e.getMessage();
        } catch (RuntimeException | Error e) {
            why = e.getMessage() != null ? e.getMessage() : e.toString();
        }
        UNAVAILABLE = why;
        LIBRARY = lib;
        STREAM_DECODER = decoder;
        CODE = code;
        END = end;
    }

    /**
     * Loads liblzma: the file the system property {@code vmsim.liblzma} names, else the first
     * {@code liblzma.so.5} (then {@code liblzma.so}) in {@code java.library.path} or the usual
     * library directories.
     */
    private static String load() {
        String named = System.getProperty("vmsim.liblzma");
        List<Path> candidates = new ArrayList<>();
        if (named != null && !named.isBlank()) {
            candidates.add(Path.of(named));
        } else {
            List<String> dirs = new ArrayList<>(List.of(System.getProperty("java.library.path", "").split(File.pathSeparator)));
            dirs.addAll(List.of("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                    "/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib", "/usr/local/lib"));
            for (String name : List.of("liblzma.so.5", "liblzma.so", "liblzma.5.dylib", "liblzma.dylib")) {
                for (String d : dirs) {
                    if (!d.isEmpty()) {
                        candidates.add(Path.of(d, name));
                    }
                }
            }
        }
        for (Path p : candidates) {
            if (Files.isRegularFile(p)) {
                String abs = p.toAbsolutePath().toString();
                System.load(abs);
                return abs;
            }
        }
        throw new UnsupportedOperationException(named != null && !named.isBlank()
                ? "no liblzma at " + named + " (vmsim.liblzma)"
                : "liblzma.so.5 not found in java.library.path or the usual library directories (install xz-utils' liblzma5)");
    }

    /**
     * Whether a {@code GLIBC_TUNABLES} value sets {@code glibc.malloc.hugetlb} to 1 (madvise
     * {@code MADV_HUGEPAGE} on the memory malloc maps; glibc 2.35 and later, which ignore a
     * tunable they do not know). The value is colon-separated {@code name=value} pairs; the last
     * setting of a name wins.
     */
    static boolean glibcAdvisesHugePages(String tunables) {
        if (tunables == null) {
            return false;
        }
        boolean on = false;
        for (String pair : tunables.split(":")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).trim().equals("glibc.malloc.hugetlb")) {
                on = pair.substring(eq + 1).trim().equals("1");
            }
        }
        return on;
    }

    private static MemoryAddress symbol(SymbolLookup lookup, String name) {
        return lookup.lookup(name).orElseThrow(() -> new UnsupportedOperationException("liblzma has no " + name));
    }

    /**
     * liblzma's allocator ({@code lzma_allocator}, lzma/base.h), through upcalls: a block of
     * {@value #HUGE} bytes or more (the LZ dictionary, 64 MiB for the lackey traces, is the only
     * one) is mapped anonymously at a 2 MiB boundary and advised {@code MADV_HUGEPAGE}, so that
     * under THP {@code enabled=madvise} (or {@code always}) the window the decoder copies its
     * matches from is backed by huge pages: fewer page faults and TLB misses than the 4 KiB pages
     * malloc gives it, which is what {@code xz} itself runs with. Smaller blocks go to malloc. On
     * a system without THP the advice is refused and changes nothing. Null (liblzma's default
     * allocator) where the libc calls cannot be linked or the system is not Linux.
     */
    static final class HugePages {
        static final long HUGE = 2L << 20;
        private static final int PROT_READ_WRITE = 0x1 | 0x2;
        private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
        private static final int MADV_HUGEPAGE = 14;
        static final MemorySegment ALLOCATOR;
        private static final MethodHandle MALLOC;
        private static final MethodHandle FREE;
        private static final MethodHandle MMAP;
        private static final MethodHandle MUNMAP;
        private static final MethodHandle MADVISE;
        /** The blocks mapped here, by address: their lengths. */
        static final java.util.concurrent.ConcurrentHashMap<Long, Long> MAPPED = new java.util.concurrent.ConcurrentHashMap<>();
        /** Blocks mapped and advised so far (tests). */
        static final AtomicInteger ADVISED = new AtomicInteger();

        static {
            MemorySegment allocator = null;
            MethodHandle malloc = null;
            MethodHandle free = null;
            MethodHandle mmap = null;
            MethodHandle munmap = null;
            MethodHandle madvise = null;
            try {
                if (System.getProperty("os.name", "").startsWith("Linux")) {
                    CLinker c = CLinker.getInstance();
                    SymbolLookup libc = CLinker.systemLookup();
                    malloc = c.downcallHandle(libc.lookup("malloc").orElseThrow(), MethodType.methodType(MemoryAddress.class, long.class),
                            FunctionDescriptor.of(CLinker.C_POINTER, CLinker.C_LONG));
                    free = c.downcallHandle(libc.lookup("free").orElseThrow(), MethodType.methodType(void.class, MemoryAddress.class),
                            FunctionDescriptor.ofVoid(CLinker.C_POINTER));
                    mmap = c.downcallHandle(libc.lookup("mmap").orElseThrow(),
                            MethodType.methodType(MemoryAddress.class, MemoryAddress.class, long.class, int.class, int.class,
                                    int.class, long.class),
                            FunctionDescriptor.of(CLinker.C_POINTER, CLinker.C_POINTER, CLinker.C_LONG, CLinker.C_INT,
                                    CLinker.C_INT, CLinker.C_INT, CLinker.C_LONG));
                    munmap = c.downcallHandle(libc.lookup("munmap").orElseThrow(),
                            MethodType.methodType(int.class, MemoryAddress.class, long.class),
                            FunctionDescriptor.of(CLinker.C_INT, CLinker.C_POINTER, CLinker.C_LONG));
                    madvise = c.downcallHandle(libc.lookup("madvise").orElseThrow(),
                            MethodType.methodType(int.class, MemoryAddress.class, long.class, int.class),
                            FunctionDescriptor.of(CLinker.C_INT, CLinker.C_POINTER, CLinker.C_LONG, CLinker.C_INT));
                    java.lang.invoke.MethodHandles.Lookup l = java.lang.invoke.MethodHandles.lookup();
                    MemoryAddress alloc = c.upcallStub(l.findStatic(HugePages.class, "alloc",
                                    MethodType.methodType(MemoryAddress.class, MemoryAddress.class, long.class, long.class)),
                            FunctionDescriptor.of(CLinker.C_POINTER, CLinker.C_POINTER, CLinker.C_LONG, CLinker.C_LONG),
                            ResourceScope.globalScope());
                    MemoryAddress release = c.upcallStub(l.findStatic(HugePages.class, "free",
                                    MethodType.methodType(void.class, MemoryAddress.class, MemoryAddress.class)),
                            FunctionDescriptor.ofVoid(CLinker.C_POINTER, CLinker.C_POINTER), ResourceScope.globalScope());
                    // { alloc, free, opaque }
                    allocator = MemorySegment.allocateNative(24, 8, ResourceScope.globalScope());
                    MemoryAccess.setAddressAtOffset(allocator, 0, alloc);
                    MemoryAccess.setAddressAtOffset(allocator, 8, release);
                    MemoryAccess.setAddressAtOffset(allocator, 16, MemoryAddress.NULL);
                }
            } catch (RuntimeException | Error | ReflectiveOperationException e) {
                allocator = null; // liblzma's own allocator
            }
            ALLOCATOR = allocator;
            MALLOC = malloc;
            FREE = free;
            MMAP = mmap;
            MUNMAP = munmap;
            MADVISE = madvise;
        }

        private HugePages() {
        }

        /** Initialises this class (links its calls); nothing else. */
        static void link() {
            // the static initialiser has run when this runs
        }

        /** {@code void *alloc(void *opaque, size_t nmemb, size_t size)}: NULL when out of memory. */
        static MemoryAddress alloc(MemoryAddress opaque, long nmemb, long size) {
            try {
                if (Math.multiplyHigh(nmemb, size) != 0 || nmemb < 0 || size < 0) {
                    return MemoryAddress.NULL;
                }
                long n = Math.max(1, nmemb * size);
                if (n < HUGE) {
                    return (MemoryAddress) MALLOC.invokeExact(n);
                }
                long len = (n + HUGE - 1) & -HUGE;
                MemoryAddress raw = (MemoryAddress) MMAP.invokeExact(MemoryAddress.NULL, len + HUGE, PROT_READ_WRITE,
                        MAP_PRIVATE_ANONYMOUS, -1, 0L);
                long r = raw.toRawLongValue();
                if (r == -1L) { // MAP_FAILED
                    return (MemoryAddress) MALLOC.invokeExact(n);
                }
                long aligned = (r + HUGE - 1) & -HUGE;
                if (aligned > r) {
                    int ignored = (int) MUNMAP.invokeExact(raw, aligned - r);
                }
                long tail = r + len + HUGE - (aligned + len);
                if (tail > 0) {
                    int ignored = (int) MUNMAP.invokeExact(MemoryAddress.ofLong(aligned + len), tail);
                }
                MemoryAddress a = MemoryAddress.ofLong(aligned);
                if ((int) MADVISE.invokeExact(a, len, MADV_HUGEPAGE) == 0) {
                    ADVISED.incrementAndGet();
                }
                MAPPED.put(aligned, len);
                return a;
            } catch (Throwable e) {
                return MemoryAddress.NULL; // liblzma reports LZMA_MEM_ERROR
            }
        }

        /** {@code void free(void *opaque, void *ptr)}. */
        static void free(MemoryAddress opaque, MemoryAddress ptr) {
            try {
                long p = ptr.toRawLongValue();
                if (p == 0) {
                    return;
                }
                Long len = MAPPED.remove(p);
                if (len != null) {
                    int ignored = (int) MUNMAP.invokeExact(ptr, (long) len);
                } else {
                    FREE.invokeExact(ptr);
                }
            } catch (Throwable e) {
                // nothing more can be done from inside liblzma
            }
        }
    }

    /** Why liblzma cannot be used here, or null if it can. */
    static String unavailable() {
        return UNAVAILABLE;
    }

    /** The liblzma file loaded, or null. */
    static String library() {
        return LIBRARY;
    }

    /** A decoded buffer {@code buf[0, length)}; {@code last} after the end or a failure. */
    private record Filled(MemorySegment buf, int length, IOException error, boolean last) {
    }

    private final String source;
    private final ResourceScope scope;
    private final MemorySegment input;
    private final MemorySegment stream;
    private final BlockingQueue<MemorySegment> free;
    private final BlockingQueue<Filled> full;
    /** Buffers beyond {@link #RING} the decode thread may add while no chunk has been taken yet. */
    private final int headStart;
    /** How many buffers beyond {@link #RING} the decode thread has added (written by that thread only). */
    private volatile int added;
    /** Set by the first {@link #next()}: from then on the decoder keeps to the buffers it has. */
    private volatile boolean taken;
    /** The decode thread and {@link #close()}: the last of the two to let go frees the native memory. */
    private final AtomicInteger holders = new AtomicInteger(2);
    private final Thread thread;
    private volatile boolean closed;
    private boolean released;

    // the parsing thread's side
    private final byte[][] heap = new byte[2][DecodeThread.SIZE + OUT];
    private final MemorySegment[] heapSegments = {MemorySegment.ofArray(heap[0]), MemorySegment.ofArray(heap[1])};
    private int flip;
    private int carry;
    /** Where the last chunk's bytes ended in its buffer (its carried partial line starts at {@code prevEnd - carry}). */
    private int prevEnd;
    private boolean finished;

    /** How many decoders this process started (tests: a file is decoded once, not once to detect and again to read). */
    static final java.util.concurrent.atomic.AtomicInteger STARTED = new java.util.concurrent.atomic.AtomicInteger();

    /** Starts decoding {@code file}, named {@code source} in messages. */
    NativeXz(Path file, String source) throws IOException {
        this(file, source, 0L);
    }

    /**
     * Starts decoding {@code file}; until the first {@link #next()} the decoder may fill up to
     * {@code headStartBytes} of buffers ({@link #OUT} bytes each) beyond its ring, so that a decoder started
     * while the JVM is still starting ({@link TraceFormats#prefetch}) need not wait for its reader.
     * Those buffers join the ring and are freed with it.
     */
    NativeXz(Path file, String source, long headStartBytes) throws IOException {
        if (UNAVAILABLE != null) {
            throw new IOException("liblzma cannot be used: " + UNAVAILABLE);
        }
        STARTED.incrementAndGet();
        this.source = source;
        this.headStart = (int) Math.max(0, Math.min(headStartBytes / OUT, 1 << 16));
        free = new ArrayBlockingQueue<>(RING + this.headStart);
        full = new ArrayBlockingQueue<>(RING + this.headStart + 1);
        long size;
        try (FileChannel ch = FileChannel.open(file)) {
            size = ch.size();
        } catch (IOException e) {
            throw new IOException("cannot read trace file " + source + ": " + e.getMessage(), e);
        }
        scope = ResourceScope.newSharedScope(CLEANER);
        try {
            input = size == 0 ? MemorySegment.allocateNative(1, scope)
                    : MemorySegment.mapFile(file, 0, size, FileChannel.MapMode.READ_ONLY, scope);
            stream = MemorySegment.allocateNative(STREAM_BYTES, 8, scope);
            stream.fill((byte) 0); // LZMA_STREAM_INIT
            if (!GLIBC_HUGE_PAGES && HugePages.ALLOCATOR != null) {
                MemoryAccess.setAddressAtOffset(stream, ALLOCATOR, HugePages.ALLOCATOR.address());
            }
            for (int i = 0; i < RING; i++) {
                free.add(MemorySegment.allocateNative(OUT, 64, scope));
            }
        } catch (IOException | RuntimeException e) {
            scope.close();
            throw new IOException("cannot read trace file " + source + ": " + e.getMessage(), e);
        }
        long inputBytes = size;
        thread = new Thread(() -> run(inputBytes), "vmsim-liblzma " + source);
        thread.setDaemon(true);
        thread.start();
    }

    private void run(long inputBytes) {
        boolean initialised = false;
        try {
            MemoryAddress strm = stream.address();
            int ret = (int) STREAM_DECODER.invokeExact(strm, -1L /* UINT64_MAX: no memory limit */, LZMA_CONCATENATED);
            if (ret != LZMA_OK) {
                full.put(new Filled(null, 0, error(ret), true));
                return;
            }
            initialised = true;
            MemoryAccess.setLongAtOffset(stream, NEXT_IN, input.address().toRawLongValue());
            MemoryAccess.setLongAtOffset(stream, AVAIL_IN, inputBytes);
            boolean end = false;
            while (!end && !closed) {
                MemorySegment out = free.poll();
                if (out == null && !taken && added < headStart) {
                    out = MemorySegment.allocateNative(OUT, 64, scope);
                    added++;
                } else if (out == null) {
                    out = free.take();
                }
                MemoryAccess.setLongAtOffset(stream, NEXT_OUT, out.address().toRawLongValue());
                MemoryAccess.setLongAtOffset(stream, AVAIL_OUT, OUT);
                IOException error = null;
                int idle = 0;
                while (MemoryAccess.getLongAtOffset(stream, AVAIL_OUT) > 0) {
                    long in0 = MemoryAccess.getLongAtOffset(stream, TOTAL_IN);
                    long out0 = MemoryAccess.getLongAtOffset(stream, TOTAL_OUT);
                    ret = (int) CODE.invokeExact(strm, LZMA_FINISH);
                    if (ret == LZMA_STREAM_END) {
                        end = true;
                        break;
                    }
                    if (ret != LZMA_OK) {
                        error = error(ret);
                        break;
                    }
                    // liblzma answers LZMA_BUF_ERROR to the second call that can make no
                    // progress; should it not, the input has ended all the same
                    if (MemoryAccess.getLongAtOffset(stream, TOTAL_IN) == in0
                            && MemoryAccess.getLongAtOffset(stream, TOTAL_OUT) == out0 && ++idle > 2) {
                        error = error(LZMA_BUF_ERROR);
                        break;
                    }
                }
                int n = (int) (OUT - MemoryAccess.getLongAtOffset(stream, AVAIL_OUT));
                full.put(new Filled(out, n, error, end || error != null));
                if (error != null) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            // closed
        } catch (Throwable e) {
            full.offer(new Filled(null, 0, new IOException("liblzma decoding failed: " + e, e), true));
        } finally {
            if (initialised) {
                try {
                    END.invokeExact(stream.address());
                } catch (Throwable e) {
                    // nothing more to free
                }
            }
            release();
        }
    }

    /** The failure a {@code lzma_ret} stands for. */
    static IOException error(int ret) {
        return switch (ret) {
            case LZMA_BUF_ERROR -> new EOFException("liblzma: unexpected end of input (LZMA_BUF_ERROR)");
            case LZMA_DATA_ERROR -> new IOException("liblzma: compressed data is corrupt (LZMA_DATA_ERROR)");
            case LZMA_FORMAT_ERROR -> new IOException("liblzma: file format not recognized (LZMA_FORMAT_ERROR)");
            case LZMA_OPTIONS_ERROR -> new IOException("liblzma: unsupported compression options (LZMA_OPTIONS_ERROR)");
            case LZMA_MEM_ERROR -> new IOException("liblzma: cannot allocate memory (LZMA_MEM_ERROR)");
            case LZMA_MEMLIMIT_ERROR -> new IOException("liblzma: memory usage limit reached (LZMA_MEMLIMIT_ERROR)");
            case LZMA_PROG_ERROR -> new IOException("liblzma: internal error (LZMA_PROG_ERROR)");
            default -> new IOException("liblzma: lzma_code returned " + ret);
        };
    }

    private void release() {
        if (holders.decrementAndGet() == 0) {
            scope.close();
        }
    }

    @Override
    public DecodeThread.Chunk next() throws IOException {
        if (finished) {
            return null;
        }
        if (!taken) {
            taken = true;
        }
        try {
            while (true) {
                Filled f = full.take();
                byte[] b = heap[flip];
                byte[] prev = heap[flip ^ 1];
                System.arraycopy(prev, prevEnd - carry, b, 0, carry);
                int n = carry;
                if (f.buf() != null) {
                    if (f.length() > 0) {
                        heapSegments[flip].asSlice(n, f.length()).copyFrom(f.buf().asSlice(0, f.length()));
                        n += f.length();
                    }
                    free.offer(f.buf());
                }
                if (f.error() != null) {
                    finished = true;
                    return new DecodeThread.Chunk(b, DecodeThread.lastNewline(b, n) + 1, f.error());
                }
                if (f.last()) {
                    finished = true;
                    return n > 0 ? new DecodeThread.Chunk(b, n, null) : null;
                }
                int cut = DecodeThread.lastNewline(b, n) + 1;
                carry = n - cut;
                prevEnd = n;
                flip ^= 1;
                if (carry >= DecodeThread.SIZE) {
                    finished = true;
                    return new DecodeThread.Chunk(b, cut, new DecodeThread.LineTooLong());
                }
                if (cut > 0) {
                    return new DecodeThread.Chunk(b, cut, null);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while reading the trace");
        }
    }

    @Override
    public void recycle(byte[] buf) {
        // the two heap buffers alternate: the one handed out is free once the next is asked for
    }

    /** Decodes the rest (discarding it): liblzma writes what it decoded before it finds corruption. */
    @Override
    public IOException integrityFailure() {
        try {
            for (DecodeThread.Chunk c = next(); c != null; c = next()) {
                if (c.error() != null) {
                    return c.error() instanceof DecodeThread.LineTooLong ? null : c.error();
                }
            }
        } catch (IOException e) {
            return e;
        }
        return null;
    }

    /** How many buffers beyond the ring the decoder has filled ahead of its reader (for tests). */
    int headStartUsed() {
        return added;
    }

    /** Whether the decode thread has ended and the native memory is freed (for tests). */
    boolean freed() {
        return !thread.isAlive() && !scope.isAlive();
    }

    @Override
    public void close() throws IOException {
        if (released) {
            return;
        }
        released = true;
        closed = true;
        thread.interrupt();
        try {
            // a call of lzma_code fills at most one buffer: milliseconds
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        release();
    }

    @Override
    public String toString() {
        return "liblzma (" + LIBRARY + ") on " + source;
    }
}
