package io.vmsim.core.mrc;

import io.vmsim.api.policy.PolicyException;
import io.vmsim.core.config.CoreConfig;
import io.vmsim.core.plugin.PolicyCatalog;
import io.vmsim.core.report.Progress;
import io.vmsim.core.trace.TraceReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The streaming engine of {@code vmsim mrc}: every policy x frame-count pair advances in
 * lockstep over ONE pass of the trace, in chunks of {@link #CHUNK} references. The calling
 * thread reads and densifies the next chunk while worker threads (each owning a fixed share of
 * the pairs) replay the current ones through {@link MrcRun}, the same code the in-memory engine
 * runs; a small ring of chunks bounds the memory, which is the pairs' own state (per page and
 * per frame) and the page map, independent of the trace's length.
 *
 * <p>Two cases read the trace twice, spooling its dense references to a temporary file first
 * ({@link Spool}): a policy that asks for the future ({@code knowsFuture()} in {@code study()},
 * as opt does) gets next-use positions from a backward pass over that file; and a frame count
 * above {@value #LARGE_FRAMES} is capped to the distinct pages before any policy is created
 * (a policy allocates per frame). Otherwise counts above the distinct pages are capped after
 * the pass: such a run never evicts, so its misses are the distinct pages, exactly those of a
 * run with that many frames.
 */
final class StreamStudy {
    /** References per chunk. */
    static final int CHUNK = 1 << 16;
    /** Frame counts above this are capped before the runs, after a counting (spooling) pass. */
    static final int LARGE_FRAMES = 1 << 20;
    /** Chunks in flight between the reader and the workers. */
    private static final int RING = 4;

    /** Opens the trace afresh (a study may read it twice). */
    @FunctionalInterface
    interface Source {
        TraceReader open() throws IOException;
    }

    private static final class Chunk {
        final int[] refs;
        long[] next;
        int n;
        long base;
        long[] pages;
        int distinct;
        final AtomicInteger pending = new AtomicInteger();

        Chunk(int size) {
            refs = new int[size];
        }
    }

    private static final Chunk END = new Chunk(0);

    private StreamStudy() {
    }

    static MrcStudy.Outcome run(Source source, String name, long limit, List<MrcStudy.PolicySpec> policies,
                                int[] frames, PolicyCatalog catalog, CoreConfig config, int threads, Progress progress,
                                int chunk, long totalHint) {
        MrcStudy.checkFrames(frames);
        MrcStudy.Resolved rs = MrcStudy.resolve(policies, catalog, config);
        int[] sizes = new LinkedHashSet<>(java.util.Arrays.stream(frames).boxed().toList()).stream()
                .mapToInt(Integer::intValue).toArray();
        Spool spool = null;
        Densifier dense = null;
        try {
            boolean large = java.util.Arrays.stream(sizes).anyMatch(n -> n > LARGE_FRAMES);
            int known = -1;
            if (large) {
                spool = new Spool(chunk);
                dense = spoolAll(source, limit, spool, chunk, progress, totalHint);
                known = dense.distinct();
            }
            int[] runSizes = known < 0 ? sizes : capped(sizes, known);
            List<MrcStudy.Pair> pairs = new ArrayList<>();
            boolean future = false;
            for (int i = 0; i < rs.providers().size(); i++) {
                for (int n : runSizes) {
                    MrcStudy.Pair p = MrcStudy.newPair(rs.providers().get(i), catalog.origin(rs.providers().get(i)),
                            rs.settings().get(i), n, rs.seed());
                    future |= p.run.wantsFuture();
                    pairs.add(p);
                }
            }
            if (future) {
                if (spool == null) {
                    spool = new Spool(chunk);
                    dense = spoolAll(source, limit, spool, chunk, progress, totalHint);
                }
                spool.computeNextUse(dense.distinct(), chunk, progress);
            }
            Pass pass = new Pass(pairs, Math.max(1, Math.min(threads, pairs.size())), chunk);
            long refs;
            boolean interrupted;
            if (spool != null) {
                Spool sp = spool;
                Densifier d = dense;
                interrupted = pass.run(c -> {
                    int n = (int) Math.min(c.refs.length, sp.count() - c.base);
                    sp.readRefs(c.base, c.refs, n);
                    if (sp.hasNextUse()) {
                        sp.readNext(c.base, c.next, n);
                    }
                    c.pages = d.pages();
                    c.distinct = d.distinct();
                    return n;
                }, sp.hasNextUse(), progress, sp.count());
                refs = pass.read;
            } else {
                try (TraceReader r = source.open()) {
                    Densifier d = new Densifier(r, limit, chunk);
                    dense = d;
                    interrupted = pass.run(c -> {
                        int n = d.fill(c.refs);
                        c.pages = d.pages();
                        c.distinct = d.distinct();
                        return n;
                    }, false, progress, totalHint);
                    refs = pass.read;
                }
            }
            int distinct = dense.distinct();
            // Results in the order asked: policies outer, then the frame counts as capped (each once).
            List<MrcStudy.Result> results = new ArrayList<>();
            List<MrcStudy.FramesCap> caps = new ArrayList<>();
            int[] shown = capped(sizes, distinct);
            for (int n : sizes) {
                int c = Math.max(1, Math.min(n, distinct));
                if (c != n) {
                    caps.add(new MrcStudy.FramesCap(n, c));
                }
            }
            int k = 0;
            for (int i = 0; i < rs.providers().size(); i++) {
                Map<Integer, Long> byCap = new LinkedHashMap<>();
                for (int n : runSizes) {
                    MrcStudy.Pair p = pairs.get(k++);
                    byCap.putIfAbsent(Math.max(1, Math.min(n, distinct)), p.run.misses());
                }
                for (int c : shown) {
                    results.add(new MrcStudy.Result(policies.get(i).label(), c, byCap.get(c), refs));
                }
            }
            return new MrcStudy.Outcome(name, refs, distinct, results, MrcStudy.Engine.DIRECT, rs.seed(), rs.infos(),
                    interrupted, caps);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (spool != null) {
                spool.close();
            }
        }
    }

    /**
     * The one-pass LRU curve: exact stack distances ({@link StackDistances}) and/or a SHARDS
     * sample ({@link Shards}, when {@code sample > 0}), over one pass of the trace on the calling
     * thread. {@code frames} null means every size from 1 to the distinct pages.
     */
    static MrcStudy.Curve curve(Source source, String name, long limit, boolean exact, double sample, int[] frames,
                                Progress progress, int chunk, long totalHint) {
        return curve(source, name, limit, exact, sample, frames, progress, chunk, totalHint,
                Runtime.getRuntime().availableProcessors());
    }

    /**
     * As {@link #curve(Source, String, long, boolean, double, int[], Progress, int, long)}; with
     * {@code threads} of 2 or more the distances are computed on a second thread while the
     * calling thread reads and densifies the next chunk; from {@link #HAND_OVER_PAGES} distinct
     * pages on, the calling thread also adds the distances of each chunk the second thread gave
     * back to the histogram (a chunk is handed over whole, in order, and the histogram is a sum,
     * so the curve is the same); with 1, everything runs on the calling thread.
     */
    static MrcStudy.Curve curve(Source source, String name, long limit, boolean exact, double sample, int[] frames,
                                Progress progress, int chunk, long totalHint, int threads) {
        StackDistances sd = exact ? new StackDistances() : null;
        Shards sh = sample > 0 ? new Shards(sample) : null;
        boolean stopped = false;
        Densifier d;
        CurveWorker worker = threads > 1 ? new CurveWorker(sd, sh, chunk) : null;
        int[] buf = worker == null ? new int[chunk] : null;
        try (TraceReader r = source.open()) {
            d = new Densifier(r, limit, chunk);
            while (true) {
                CurveChunk c = worker == null ? null : worker.free();
                if (c != null) {
                    counted(sd, c);
                }
                int[] into = c == null ? buf : c.refs;
                int n = d.fill(into);
                if (n <= 0) {
                    if (c != null) {
                        worker.giveBack(c);
                    }
                    break;
                }
                if (c == null) {
                    countChunk(sd, sh, into, n, d.distinct(), d.pages());
                } else {
                    c.n = n;
                    c.distinct = d.distinct();
                    c.pages = d.pages();
                    worker.submit(c);
                }
                progress.update("replaying", d.refs(), totalHint);
                if (progress.stopRequested()) {
                    stopped = true;
                    break;
                }
            }
        } catch (IOException e) {
            if (worker != null) {
                worker.abandon();
            }
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            if (worker != null) {
                worker.abandon();
            }
            throw e;
        }
        if (worker != null) {
            worker.finish();
            for (CurveChunk c : worker.free) {
                counted(sd, c);
            }
        }
        int distinct = d.distinct();
        long refs = d.refs();
        int[] sizes;
        List<MrcStudy.FramesCap> caps = new ArrayList<>();
        if (frames == null) {
            sizes = new int[Math.max(1, distinct)];
            for (int i = 0; i < sizes.length; i++) {
                sizes[i] = i + 1;
            }
        } else {
            sizes = capped(new LinkedHashSet<>(java.util.Arrays.stream(frames).boxed().toList()).stream()
                    .mapToInt(Integer::intValue).toArray(), distinct);
            for (int n : new LinkedHashSet<>(java.util.Arrays.stream(frames).boxed().toList())) {
                int c = Math.max(1, Math.min(n, distinct));
                if (c != n) {
                    caps.add(new MrcStudy.FramesCap(n, c));
                }
            }
        }
        int top = Math.max(1, distinct);
        List<MrcStudy.Result> results = new ArrayList<>();
        long[] exactCurve = sd == null ? null : sd.missCurve(top);
        double[] sampled = sh == null ? null : sh.missRatioCurve(top, distinct);
        String sampledLabel = sh == null ? null : "lru[sample=" + sample + "]";
        if (exactCurve != null) {
            for (int n : sizes) {
                results.add(new MrcStudy.Result("lru", n, exactCurve[n - 1], refs));
            }
        }
        if (sampled != null) {
            for (int n : sizes) {
                results.add(new MrcStudy.Result(sampledLabel, n, Math.round(sampled[n - 1] * refs), refs));
            }
        }
        double mae = Double.NaN;
        if (exactCurve != null && sampled != null && refs > 0) {
            // over every size from 1 to the distinct pages, on the estimated ratio itself (not the rounded misses)
            double sum = 0;
            for (int n = 1; n <= top; n++) {
                sum += Math.abs(sampled[n - 1] - (double) exactCurve[n - 1] / refs);
            }
            mae = sum / top;
        }
        MrcStudy.Outcome o = new MrcStudy.Outcome(name, refs, distinct, results, MrcStudy.Engine.STACK, 0, List.of(),
                stopped, caps);
        return new MrcStudy.Curve(o, sh == null ? Double.NaN : sh.rate(), sh == null ? 0 : sh.sampledRefs(), mae);
    }

    /** Adds the distances the curve's worker left in {@code c} to the histogram, once. */
    private static void counted(StackDistances sd, CurveChunk c) {
        if (c.distances) {
            sd.countDistances(c.refs, c.n);
            c.distances = false;
        }
    }

    /**
     * Distinct pages from which the curve's worker leaves the histogram to the reading thread:
     * below, the histogram is small and cheap to update, and the worker, whose stack is small
     * too, is not the slower thread (a trace of a few thousand pages is bound by reading).
     */
    static final int HAND_OVER_PAGES = 1 << 16;

    /**
     * One chunk on the curve's worker: the SHARDS sample first (it reads the page ids), then the
     * exact distances; once {@code handOver} (the chunk's page table has reached
     * {@link #HAND_OVER_PAGES} pages; it stays set), they are written over the ids and left for the
     * reading thread to count ({@link StackDistances#distances}), before that counted here. The
     * worker counts no chunk after handing one over, so the histogram has one writer at a time,
     * ordered by the queue that hands the chunk back. Returns {@code handOver} for the next chunk.
     */
    private static boolean distancesOfChunk(StackDistances sd, Shards sh, CurveChunk c, boolean handOver) {
        if (sh != null) {
            sh.ensureIds(c.distinct);
            for (int i = 0; i < c.n; i++) {
                int id = c.refs[i] >>> 1;
                sh.access(id, c.pages[id]);
            }
        }
        if (sd == null) {
            return handOver;
        }
        sd.ensureIds(c.distinct);
        boolean over = handOver || c.distinct >= HAND_OVER_PAGES;
        if (over) {
            sd.distances(c.refs, c.n, 1);
            c.distances = true;
        } else {
            sd.accessAll(c.refs, c.n, 1);
        }
        return over;
    }

    /** One chunk's distances and/or SHARDS sample, in reference order. */
    private static void countChunk(StackDistances sd, Shards sh, int[] refs, int n, int distinct, long[] pages) {
        if (sd != null) {
            sd.ensureIds(distinct);
            sd.accessAll(refs, n, 1);
        }
        if (sh != null) {
            sh.ensureIds(distinct);
            for (int i = 0; i < n; i++) {
                int id = refs[i] >>> 1;
                sh.access(id, pages[id]);
            }
        }
    }

    /**
     * A chunk handed to the curve's worker: its dense references and the page table of its time;
     * handed back with the references' distances in their place when {@code distances} is set.
     */
    private static final class CurveChunk {
        final int[] refs;
        int n;
        boolean distances;
        int distinct;
        long[] pages;

        CurveChunk(int size) {
            refs = new int[size];
        }
    }

    /**
     * The one-pass curve's second thread: takes chunks in the order they were read from a
     * queue, computes their distances and returns their buffers to a pool of {@link #IN_FLIGHT}
     * (no allocation per chunk); from {@link #HAND_OVER_PAGES} distinct pages on, the reading
     * thread adds a returned buffer's distances to the histogram before it refills it (and, at
     * the end, those of the buffers left in the pool). The end is a chunk with {@code n == 0}.
     */
    private static final class CurveWorker {
        private static final int IN_FLIGHT = 4;
        private final java.util.concurrent.ArrayBlockingQueue<CurveChunk> free =
                new java.util.concurrent.ArrayBlockingQueue<>(IN_FLIGHT + 1);
        private final java.util.concurrent.ArrayBlockingQueue<CurveChunk> full =
                new java.util.concurrent.ArrayBlockingQueue<>(IN_FLIGHT + 1);
        private final CurveChunk end = new CurveChunk(0);
        private final Thread thread;
        private volatile Throwable failure;
        private volatile boolean abandoned;

        CurveWorker(StackDistances sd, Shards sh, int chunk) {
            for (int i = 0; i < IN_FLIGHT; i++) {
                free.add(new CurveChunk(chunk));
            }
            thread = new Thread(() -> {
                boolean handOver = false;
                try {
                    while (true) {
                        CurveChunk c = full.take();
                        if (c == end) {
                            return;
                        }
                        if (!abandoned) {
                            handOver = distancesOfChunk(sd, sh, c, handOver);
                        }
                        c.pages = null;
                        free.put(c);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Throwable t) {
                    failure = t;
                    abandoned = true;
                    // keep the reader from waiting on a buffer that will never come back
                    free.offer(new CurveChunk(chunk));
                }
            }, "vmsim-mrc-curve");
            thread.setDaemon(true);
            thread.start();
        }

        CurveChunk free() {
            rethrow();
            try {
                CurveChunk c = free.take();
                rethrow();
                return c;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading the trace", e);
            }
        }

        void giveBack(CurveChunk c) {
            free.offer(c);
        }

        void submit(CurveChunk c) {
            try {
                full.put(c);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading the trace", e);
            }
        }

        /** Waits until every chunk submitted is counted. */
        void finish() {
            submit(end);
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while counting the curve", e);
            }
            rethrow();
        }

        void abandon() {
            abandoned = true;
            full.offer(end);
        }

        private void rethrow() {
            Throwable t = failure;
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error er) {
                throw er;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
        }
    }

    /** Each count capped to the distinct pages (at least 1), each once, in order. */
    static int[] capped(int[] sizes, int distinct) {
        LinkedHashSet<Integer> out = new LinkedHashSet<>();
        for (int n : sizes) {
            out.add(Math.max(1, Math.min(n, distinct)));
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static Densifier spoolAll(Source source, long limit, Spool spool, int chunk, Progress progress,
                                      long totalHint) throws IOException {
        int[] buf = new int[chunk];
        try (TraceReader r = source.open()) {
            Densifier d = new Densifier(r, limit, chunk);
            String phase = "spooling to " + spool.refsPath().getParent();
            int n;
            while ((n = d.fill(buf)) > 0) {
                spool.append(buf, n);
                progress.update(phase, d.refs(), totalHint);
                if (progress.stopRequested()) {
                    break;
                }
            }
            return d;
        }
    }

    @FunctionalInterface
    private interface Filler {
        /** Fills the chunk (its base is set); returns the references, 0 at the end. */
        int fill(Chunk c) throws IOException;
    }

    /** One lockstep pass: the calling thread fills chunks, the workers replay them. */
    private static final class Pass {
        private final List<MrcStudy.Pair> pairs;
        private final int workers;
        private final int chunk;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        long read;

        Pass(List<MrcStudy.Pair> pairs, int workers, int chunk) {
            this.pairs = pairs;
            this.workers = workers;
            this.chunk = chunk;
        }

        /** Returns true if stopped by a stop request before the end. */
        boolean run(Filler filler, boolean withNext, Progress progress, long total) throws IOException {
            BlockingQueue<Chunk> free = new ArrayBlockingQueue<>(RING);
            for (int i = 0; i < RING; i++) {
                Chunk c = new Chunk(chunk);
                if (withNext) {
                    c.next = new long[chunk];
                }
                free.add(c);
            }
            List<BlockingQueue<Chunk>> queues = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                List<MrcStudy.Pair> mine = new ArrayList<>();
                for (int i = w; i < pairs.size(); i += workers) {
                    mine.add(pairs.get(i));
                }
                BlockingQueue<Chunk> q = new ArrayBlockingQueue<>(RING + 1);
                queues.add(q);
                Thread t = new Thread(() -> work(mine, q, free), "mrc-" + w);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
            boolean stopped = false;
            try {
                while (failure.get() == null) {
                    if (progress.stopRequested()) {
                        stopped = true;
                        break;
                    }
                    Chunk c = free.take();
                    c.base = read;
                    int n = filler.fill(c);
                    if (n <= 0) {
                        break;
                    }
                    c.n = n;
                    c.pending.set(workers);
                    for (BlockingQueue<Chunk> q : queues) {
                        q.put(c);
                    }
                    read += n;
                    progress.update("replaying", read, total);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } finally {
                for (BlockingQueue<Chunk> q : queues) {
                    q.add(END);
                }
                for (Thread t : threads) {
                    try {
                        t.join();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            Throwable f = failure.get();
            if (f instanceof RuntimeException re) {
                throw re;
            }
            if (f instanceof Error err) {
                throw err;
            }
            if (f != null) {
                throw new IllegalStateException(f);
            }
            if (!stopped) {
                for (MrcStudy.Pair p : pairs) {
                    p.finish();
                }
            }
            return stopped;
        }

        private void work(List<MrcStudy.Pair> mine, BlockingQueue<Chunk> q, BlockingQueue<Chunk> free) {
            try {
                while (true) {
                    Chunk c = q.take();
                    if (c == END) {
                        return;
                    }
                    if (failure.get() == null) {
                        try {
                            for (int i = 0; i < mine.size(); i++) { // no iterator: once per chunk and pair
                                mine.get(i).replayChunk(c.refs, c.n, c.base, c.pages, c.distinct, c.next);
                            }
                        } catch (Throwable t) {
                            failure.compareAndSet(null, t);
                        }
                    }
                    if (c.pending.decrementAndGet() == 0) {
                        free.put(c);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
