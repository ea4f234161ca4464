package io.vmsim.core.oom;

import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.MmSyscalls;
import io.vmsim.core.vmstat.VmEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The OOM killer ({@code mm/oom_kill.c}): when reclaim makes no progress, kills the process
 * with the highest {@code oom_badness()} = RSS + swap entries + page-table pages, plus
 * {@code oom_score_adj} x totalpages / 1000 (totalpages = RAM + swap); a process with
 * {@code oom_score_adj} -1000 is never chosen. Ties go to the process found last: the kernel's
 * {@code oom_evaluate_task()} skips only a lower score, so an equal one replaces the chosen task. The victim's address space is torn down at once
 * ({@code exit_mmap()}, which the oom reaper would otherwise do early).
 */
public final class OomKiller {
    /** oom_score_adj that exempts a process ({@code OOM_SCORE_ADJ_MIN}). */
    public static final int OOM_SCORE_ADJ_MIN = -1000;

    /** One kill, for the run's report. */
    public record Kill(int pid, String comm, long badness, long rssPages, long swapEntries, long pageTables, int oomScoreAdj) {
        @Override
        public String toString() {
            return String.format("Out of memory: Killed process %d (%s) rss:%dkB swapents:%d "
                    + "pgtables:%dkB oom_score_adj:%d badness:%d", pid, comm, rssPages * 4, swapEntries, pageTables * 4,
                    oomScoreAdj, badness);
        }
    }

    private final Kernel k;
    private final MmSyscalls sys;
    private final LongSupplier swapPages;
    private final List<Kill> kills = new ArrayList<>();

    public OomKiller(Kernel kernel, MmSyscalls sys, LongSupplier swapPages) {
        this.k = kernel;
        this.sys = sys;
        this.swapPages = swapPages;
    }

    /** {@code oom_badness()}: the victim score of {@code mm}, or {@link Long#MIN_VALUE} if it may not be killed. */
    public long badness(Mm mm) {
        if (mm.exited || mm.oomKilled || mm.pid <= 0 || mm.oomScoreAdj == OOM_SCORE_ADJ_MIN) {
            return Long.MIN_VALUE;
        }
        long totalPages = k.frames.nrFrames() + swapPages.getAsLong();
        long points = mm.rssAnon + mm.rssFile + mm.swapEnts + mm.pageTablePages();
        return points + (long) mm.oomScoreAdj * (totalPages / 1000);
    }

    /** {@code select_bad_process()}: the process to kill, or null. */
    public Mm select() {
        return select(mm -> true);
    }

    /** The process to kill among those {@code eligible} accepts (a memory cgroup's, for a memcg OOM), or null. */
    public Mm select(java.util.function.Predicate<Mm> eligible) {
        Mm chosen = null;
        long best = Long.MIN_VALUE;
        for (Mm mm : k.mms()) {
            if (!eligible.test(mm)) {
                continue;
            }
            long b = badness(mm);
            // mm/oom_kill.c oom_evaluate_task(): "if (points == LONG_MIN || points < oc->chosen_points) goto next;"
            if (b != Long.MIN_VALUE && (chosen == null || b >= best)) {
                chosen = mm;
                best = b;
            }
        }
        return chosen;
    }

    /**
     * {@code out_of_memory()}: kills the worst process and frees its memory. Returns false if
     * no process may be killed. If the victim is the allocating process, throws
     * {@link OomKilledException} after freeing it, since its operation cannot continue.
     */
    public boolean outOfMemory() {
        return outOfMemory(mm -> true);
    }

    /** As {@link #outOfMemory()}, choosing only among the processes {@code eligible} accepts ({@code mem_cgroup_out_of_memory()}). */
    public boolean outOfMemory(java.util.function.Predicate<Mm> eligible) {
        Mm victim = select(eligible);
        if (victim == null) {
            return false;
        }
        Kill kill = new Kill(victim.pid, victim.comm, badness(victim), victim.rssAnon + victim.rssFile, victim.swapEnts,
                victim.pageTablePages(), victim.oomScoreAdj);
        kills.add(kill);
        k.vmstat.count(VmEvent.OOM_KILL);
        victim.oomKilled = true;
        sys.exit(victim, 0);
        if (victim == k.currentMm) {
            k.currentMm = null;
            throw new OomKilledException(victim.pid, kill.toString());
        }
        return true;
    }

    /** Kills so far, in order. */
    public List<Kill> kills() {
        return kills;
    }
}
