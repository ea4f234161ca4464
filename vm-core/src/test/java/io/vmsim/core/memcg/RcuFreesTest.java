package io.vmsim.core.memcg;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The queue of objects freed after an RCU grace period ({@code call_rcu()}). */
final class RcuFreesTest {
    /** CONFIG_HZ=250: a jiffy is 4 ms; RCU_JIFFIES_TILL_FORCE_QS = 1 + (HZ > 250) + (HZ > 500) = 1 jiffy. */
    private static final long JIFFY_NS = 4_000_000L;

    @Test
    void gracePeriod_isTwoForcingScansOfOneJiffyAtHz250() {
        assertThat(RcuFrees.JIFFIES_TILL_FORCE_QS).isEqualTo(1);
        assertThat(RcuFrees.GRACE_PERIOD_NS).isEqualTo(2 * JIFFY_NS);
    }

    @Test
    void aCallbackRunsOnlyOnceItsGracePeriodHasEnded_onItsCpu_inQueueOrder() {
        RcuFrees q = new RcuFrees();
        List<String> ran = new ArrayList<>();
        q.queue(3, 760, 0, 1_000);
        q.queue(3, 592, 1, 2_000);
        q.queue(5, 592, 0, 2_000);
        assertThat(q.pending()).isEqualTo(3);
        assertThat(q.pendingBytes(3)).isEqualTo(760 + 592);
        assertThat(q.runDue(1_000 + 2 * JIFFY_NS - 1, (g, s, c) -> ran.add(g + "/" + s + "/" + c))).isZero();
        assertThat(q.runDue(1_000 + 2 * JIFFY_NS, (g, s, c) -> ran.add(g + "/" + s + "/" + c))).isEqualTo(1);
        assertThat(q.runDue(2_000 + 2 * JIFFY_NS, (g, s, c) -> ran.add(g + "/" + s + "/" + c))).isEqualTo(2);
        assertThat(ran).containsExactly("3/760/0", "3/592/1", "5/592/0");
        assertThat(q.pending()).isZero();
    }

    @Test
    void callbacksQueuedAMillisecondApart_runEightMillisecondsLate_eachOnce() {
        RcuFrees q = new RcuFrees();
        long[] sum = new long[1];
        int[] ran = new int[1];
        for (int i = 0; i < 1000; i++) {
            long now = i * 1_000_000L;
            q.queue(1, i, 0, now);
            q.runDue(now, (g, s, c) -> {
                sum[0] += s;
                ran[0]++;
            });
            // those queued more than 8 ms ago have run: 0..i-8
            assertThat(ran[0]).isEqualTo(Math.max(0, i - 7));
        }
        q.runDue(Long.MAX_VALUE, (g, s, c) -> sum[0] += s);
        assertThat(sum[0]).isEqualTo(999L * 1000 / 2);
        assertThat(q.pending()).isZero();
    }
}
