package io.vmsim.policies.migration;

import io.vmsim.api.config.Settings;
import io.vmsim.api.machine.MachineView;
import io.vmsim.api.machine.PageLists;
import io.vmsim.api.policy.MigrationPolicy;
import io.vmsim.api.policy.MigrationView;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

import static org.assertj.core.api.Assertions.assertThat;

/** Loads this module's providers the way the simulator does, and checks each policy's order against a hand-written one. */
final class ProviderContractTest {

    private static Map<String, PolicyProvider> providers() {
        Map<String, PolicyProvider> byName = new TreeMap<>();
        for (PolicyProvider p : ServiceLoader.load(PolicyProvider.class)) {
            assertThat(byName.put(p.name(), p)).as("duplicate provider %s", p.name()).isNull();
        }
        return byName;
    }

    private static final PolicyContext CONTEXT = new PolicyContext() {
        @Override
        public Settings settings() {
            throw new UnsupportedOperationException("context.settings");
        }

        @Override
        public MachineView machine() {
            throw new UnsupportedOperationException("context.machine");
        }

        @Override
        public PageLists pageLists() {
            throw new UnsupportedOperationException("context.pageLists");
        }

        @Override
        public RandomGenerator random() {
            throw new UnsupportedOperationException("context.random");
        }

        @Override
        public int node() {
            return -1;
        }
    };

    /** A brute-force view: a boolean per page, searched linearly. */
    static final class View implements MigrationView {
        final boolean[] pending;
        boolean postcopy;
        int round = 1;

        View(int pages) {
            pending = new boolean[pages];
            java.util.Arrays.fill(pending, true);
        }

        @Override
        public long pages() {
            return pending.length;
        }

        @Override
        public boolean postcopy() {
            return postcopy;
        }

        @Override
        public int round() {
            return round;
        }

        @Override
        public boolean pending(long page) {
            return pending[(int) page];
        }

        @Override
        public long pendingCount() {
            long n = 0;
            for (boolean b : pending) {
                n += b ? 1 : 0;
            }
            return n;
        }

        @Override
        public long nextPending(long from) {
            for (int i = (int) Math.max(0, from); i < pending.length; i++) {
                if (pending[i]) {
                    return i;
                }
            }
            return -1;
        }

        @Override
        public long previousPending(long from) {
            for (int i = (int) Math.min(from, pending.length - 1); i >= 0; i--) {
                if (pending[i]) {
                    return i;
                }
            }
            return -1;
        }

        /** Takes {@code n} pages of the postcopy stream, marking each sent. */
        List<Long> postcopy(MigrationPolicy p, int n) {
            postcopy = true;
            List<Long> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long page = p.nextPostcopyPage(this);
                assertThat(page).as("a pending page").isBetween(0L, pages() - 1);
                assertThat(pending[(int) page]).isTrue();
                pending[(int) page] = false;
                out.add(page);
            }
            return out;
        }

        /** A remote fault on {@code page}: the core sends it at once. */
        void fault(MigrationPolicy p, long page) {
            if (p.observesRemoteFaults()) {
                p.remoteFault(page, 0);
            }
            pending[(int) page] = false;
        }
    }

    @Test
    void serviceLoader_findsTheModulesProviders() {
        assertThat(providers().keySet()).containsExactly("adaptive-prepaging", "last-fault-first", "linear");
    }

    @Test
    void everyProvider_honoursTheContract() {
        for (PolicyProvider p : providers().values()) {
            assertThat(p.name()).matches("[a-z0-9][a-z0-9+-]*");
            assertThat(p.kind()).isEqualTo(PolicyKind.MIGRATION);
            assertThat(p.description()).isNotBlank().endsWith(".");
            assertThat(p.create(CONTEXT)).isInstanceOf(p.kind().policyType());
        }
    }

    @Test
    void everyPolicy_sendsEveryPageOnce_inPrecopyAndPostcopy() {
        for (PolicyProvider prov : providers().values()) {
            MigrationPolicy p = (MigrationPolicy) prov.create(CONTEXT);
            View v = new View(50);
            for (int i = 0; i < 50; i++) {
                long page = p.nextPrecopyPage(v);
                assertThat(v.pending[(int) page]).as(prov.name()).isTrue();
                v.pending[(int) page] = false;
            }
            View w = new View(50);
            w.fault(p, 30);
            assertThat(w.postcopy(p, 49)).as(prov.name()).doesNotHaveDuplicates().doesNotContain(30L);
            assertThat(w.pendingCount()).isZero();
        }
    }

    @Test
    void linear_keepsItsPlace_whateverTheFaults() {
        MigrationPolicy p = new LinearMigrationPolicy();
        View v = new View(10);
        assertThat(v.postcopy(p, 3)).containsExactly(0L, 1L, 2L);
        v.fault(p, 7);
        assertThat(v.postcopy(p, 6)).containsExactly(3L, 4L, 5L, 6L, 8L, 9L);
    }

    @Test
    void lastFaultFirst_continuesAfterTheFault_thenWraps() {
        MigrationPolicy p = new LastFaultFirstMigrationPolicy();
        View v = new View(10);
        assertThat(v.postcopy(p, 2)).containsExactly(0L, 1L);
        v.fault(p, 6);
        assertThat(v.postcopy(p, 7)).containsExactly(7L, 8L, 9L, 2L, 3L, 4L, 5L);
    }

    @Test
    void lastFaultFirst_firstFaultBeforeAnyPush_startsTheStreamThere() {
        MigrationPolicy p = new LastFaultFirstMigrationPolicy();
        View v = new View(6);
        v.fault(p, 3);
        assertThat(v.postcopy(p, 5)).containsExactly(4L, 5L, 0L, 1L, 2L);
    }

    @Test
    void adaptivePrepaging_bubblesAlternatelyAroundThePivot() {
        MigrationPolicy p = new AdaptivePrepagingMigrationPolicy();
        View v = new View(12);
        v.fault(p, 5);
        // pivot 5: 6, 4, 7, 3, 8, 2 ...
        assertThat(v.postcopy(p, 6)).containsExactly(6L, 4L, 7L, 3L, 8L, 2L);
        v.fault(p, 10);
        // new pivot 10: 11, 9, then up is exhausted: 1, 0 below (9 was the last pending above 1)
        assertThat(v.postcopy(p, 4)).containsExactly(11L, 9L, 1L, 0L);
        assertThat(v.pendingCount()).isZero();
    }
}
