package io.vmsim.core.time;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

final class DaemonsTest {
    @Test
    void aPeriodicDaemonRunsWhenItsTimeComes_andItsWorkIsNotChargedToTheWorkload() {
        SimClock clock = new SimClock();
        Daemons d = new Daemons(clock);
        List<Long> ranAt = new ArrayList<>();
        d.register(new Daemons.Daemon() {
            @Override
            public String name() {
                return "khugepaged";
            }

            @Override
            public long run(long nowNs) {
                ranAt.add(nowNs);
                clock.advance(5_000_000); // 5 us of work on its own CPU
                return 1000;
            }
        }, 1000);
        for (int i = 0; i < 35; i++) {
            clock.advance(100_000); // 100 ns of workload
            d.poll();
        }
        assertThat(clock.nanoTime()).isEqualTo(3500);
        assertThat(ranAt).containsExactly(1000L, 2000L, 3000L);
        assertThat(d.cpuTimeNs()).containsEntry("khugepaged", 15_000L);
    }

    @Test
    void aDaemonAsleepUntilWoken_runsOnlyAfterWake() {
        SimClock clock = new SimClock();
        Daemons d = new Daemons(clock);
        int[] runs = {0};
        int id = d.register(new Daemons.Daemon() {
            @Override
            public String name() {
                return "kswapd0";
            }

            @Override
            public long run(long nowNs) {
                runs[0]++;
                return -1;
            }
        }, -1);
        clock.advance(1_000_000_000);
        d.poll();
        assertThat(runs[0]).isZero();
        d.wake(id);
        d.poll();
        d.poll();
        assertThat(runs[0]).isEqualTo(1);
        assertThat(d.sleeping(id)).isTrue();
    }
}
