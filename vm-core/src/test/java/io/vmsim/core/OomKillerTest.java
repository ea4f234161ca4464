package io.vmsim.core;

import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.Task;
import io.vmsim.core.oom.OomKilledException;
import io.vmsim.core.oom.OomKiller;
import io.vmsim.core.vmscan.Reclaim;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The OOM killer against oom_badness() of mm/oom_kill.c, recomputed here by brute force. */
final class OomKillerTest {
    private static Machine machine(String... kv) {
        String[] base = {"machine.memory", "128M", "mm.transparent_hugepage.enabled", "never", "vm.overcommit_memory", "1"};
        String[] all = new String[base.length + kv.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(kv, 0, all, base.length, kv.length);
        return Machine.create(TestConfig.of(all), new TestCatalog());
    }

    private static SimProcess touching(Machine m, String name, int adj, long bytes) {
        SimProcess p = m.spawn(name, List.of(0));
        p.mm().oomScoreAdj = adj;
        long a = m.syscalls().mmapAnon(p.mm(), 0, bytes, "rw", false, 4096);
        for (long off = 0; off < bytes; off += 4096) {
            m.access(p.threads().get(0), a + off, true);
        }
        return p;
    }

    /** rss + swap entries + page-table pages + adj x (RAM + swap pages) / 1000, or MIN_VALUE for -1000. */
    private static long expectedBadness(Machine m, Mm mm) {
        if (mm.oomScoreAdj == -1000) {
            return Long.MIN_VALUE;
        }
        long total = m.meminfo().get("MemTotal") / 4 + m.meminfo().get("SwapTotal") / 4;
        return mm.rssAnon + mm.rssFile + mm.swapEnts + mm.pageTablePages() + mm.oomScoreAdj * (total / 1000);
    }

    @Test
    void select_picksTheHighestBadness_computedFromRssSwapAndPageTables() {
        Machine m = machine();
        List<SimProcess> ps = new ArrayList<>();
        ps.add(touching(m, "small", 0, 8 << 20));
        ps.add(touching(m, "big", 0, 24 << 20));
        ps.add(touching(m, "medium-but-adjusted", 300, 12 << 20));
        ps.add(touching(m, "exempt-and-biggest", -1000, 40 << 20));
        OomKiller oom = Reclaim.of(m.kernel()).oomKiller();
        SimProcess best = null;
        for (SimProcess p : ps) {
            assertThat(oom.badness(p.mm())).isEqualTo(expectedBadness(m, p.mm()));
            if (expectedBadness(m, p.mm()) != Long.MIN_VALUE
                    && (best == null || expectedBadness(m, p.mm()) > expectedBadness(m, best.mm()))) {
                best = p;
            }
        }
        assertThat(oom.select()).isSameAs(best.mm());
        // 12M + 300 x 32768/1000 pages beats 24M
        assertThat(best.name()).isEqualTo("medium-but-adjusted");
    }

    @Test
    void select_withEqualBadness_takesTheProcessFoundLast() {
        Machine m = machine();
        SimProcess first = touching(m, "first", 0, 16 << 20);
        SimProcess second = touching(m, "second", 0, 16 << 20);
        OomKiller oom = Reclaim.of(m.kernel()).oomKiller();
        assertThat(oom.badness(first.mm())).isEqualTo(oom.badness(second.mm()));
        // mm/oom_kill.c oom_evaluate_task() skips only "points < oc->chosen_points": an equal score is chosen
        assertThat(oom.select()).isSameAs(second.mm());
    }

    @Test
    void outOfMemory_killsTheWorstOtherProcess_freesItsMemory_andNeverTheExemptOne() {
        Machine m = machine();
        SimProcess exempt = touching(m, "exempt", -1000, 48 << 20);
        SimProcess victim = touching(m, "victim", 0, 40 << 20);
        long victimRss = victim.mm().rssAnon;
        SimProcess hog = m.spawn("hog", List.of(0));
        Task t = hog.threads().get(0);
        long a = m.syscalls().mmapAnon(hog.mm(), 0, 1L << 30, "rw", false, 4096);
        long touched = 0;
        assertThatThrownBy(() -> {
            for (long off = 0; ; off += 4096) {
                m.access(t, a + off, true);
            }
        }).isInstanceOf(OomKilledException.class).hasMessageContaining("(hog)");
        touched = hog.mm().rssAnon;
        OomKiller oom = Reclaim.of(m.kernel()).oomKiller();
        // first the victim (bigger than the hog was then), then the hog itself; never the exempt one
        assertThat(oom.kills()).extracting(OomKiller.Kill::comm).containsExactly("victim", "hog");
        assertThat(oom.kills().get(0).rssPages()).isEqualTo(victimRss);
        assertThat(m.vmstat().get("oom_kill")).isEqualTo(2);
        assertThat(victim.mm().oomKilled).isTrue();
        assertThat(victim.mm().rssAnon).isZero();
        assertThat(hog.mm().exited).isTrue();
        assertThat(touched).isZero();
        assertThat(exempt.mm().exited).isFalse();
        assertThat(exempt.mm().rssAnon).isEqualTo((48 << 20) >>> 12);
        // everything of the two dead processes went back to the allocator
        assertThat(m.meminfo().get("AnonPages")).isEqualTo(48L << 10);
        m.kernel().allocator.verify();
        Reclaim.of(m.kernel()).verify();
    }

    @Test
    void outOfMemory_withOnlyExemptProcesses_failsTheAllocation() {
        Machine m = machine();
        SimProcess p = m.spawn("exempt", List.of(0));
        p.mm().oomScoreAdj = -1000;
        long a = m.syscalls().mmapAnon(p.mm(), 0, 1L << 30, "rw", false, 4096);
        assertThatThrownBy(() -> {
            for (long off = 0; ; off += 4096) {
                m.access(p.threads().get(0), a + off, true);
            }
        }).hasMessageContaining("out of memory").hasMessageContaining("OOM killer found nothing to kill");
        assertThat(m.vmstat().get("oom_kill")).isZero();
    }
}
