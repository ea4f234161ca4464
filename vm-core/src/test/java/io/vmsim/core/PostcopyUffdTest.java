package io.vmsim.core;

import io.vmsim.api.policy.MigrationPolicy;
import io.vmsim.core.migration.DirtyPattern;
import io.vmsim.core.migration.LiveMigration;
import io.vmsim.core.migration.MigrationSettings;
import io.vmsim.core.migration.UffdDestination;
import io.vmsim.core.report.RunResult;
import io.vmsim.core.uffd.Uffd;
import io.vmsim.core.uffd.Userfaultfd;
import io.vmsim.core.uffd.Userfaultfds;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Postcopy's destination in the simulated machine (issue 12): the guest's RAM registered MISSING
 * with a userfaultfd, each remote fault a PAGEFAULT message of the machine's fault handler, each
 * arriving page a UFFDIO_COPY. The userfaultfd's own measure of the guest's waits is checked
 * against the link's formula: RTT + 4096 x 10^6 / B ps on an idle link.
 */
final class PostcopyUffdTest {
    private static final long PAGE = 4096;

    private record Setup(Machine m, SimProcess p, Userfaultfd u, UffdDestination d) {
    }

    private static Setup setup(long pages) {
        Machine m = SplitTest.machine("machine.memory", "256M");
        SimProcess p = m.spawn("qemu-dst", List.of(0));
        long base = m.syscalls().mmapAnon(p.mm(), 0, pages * PAGE, "rw", false, PAGE);
        Userfaultfd u = Userfaultfds.of(m.kernel(), m.syscalls()).open(p.mm());
        assertThat(u.api(Uffd.UFFD_API, 0)).isEqualTo(Uffd.UFFD_API_FEATURES);
        UffdDestination d = new UffdDestination(m.kernel(), u, p.threads().get(0), m::access, base,
                m.kernel().clock.picoTime());
        return new Setup(m, p, u, d);
    }

    @Test
    void idleLink_everyFaultIsAUserfaultfdFault_resolvedByCopy_afterOneRoundTripAndOnePage() {
        long pages = 512;
        Setup s = setup(pages);
        MigrationPolicy onDemand = view -> -1; // no background stream: the link is idle but for requests
        MigrationSettings settings = new MigrationSettings(pages, 100, DirtyPattern.SEQUENTIAL, 1000, 100, 300, 30);
        LiveMigration lm = new LiveMigration(settings, onDemand, "on-demand", 3, s.d());
        RunResult.MigrationResult r = lm.run(LiveMigration.Mode.POSTCOPY);
        long boundNs = (100_000_000L + PAGE * 1_000_000L / 1000) / 1000; // RTT + one page at B, 104.096 us
        assertThat(r.completed()).isTrue();
        assertThat(s.u().faults()).isEqualTo(pages).isEqualTo(r.remoteFaults());
        assertThat(s.u().faults(Uffd.VM_UFFD_MISSING)).isEqualTo(pages);
        assertThat(s.u().pagesCopied()).isEqualTo(pages);
        assertThat(s.p().mm().rssAnon()).isEqualTo(pages);
        // the userfaultfd's own clock: each wait at most RTT + one page, and no shorter than it by
        // more than the fault's entry costs (the guest's reference reaches handle_userfault() a little later)
        assertThat(Arrays.stream(s.u().latenciesNs()).boxed().toList()).hasSize((int) pages)
                .allSatisfy(w -> assertThat(w).isBetween(boundNs - 10_000, boundNs));
    }

    @Test
    void backgroundStream_pagesOnTheLinkAreCopiedInOrder_andTheGuestSeesEveryPageOnce() {
        long pages = 2048;
        Setup s = setup(pages);
        MigrationSettings settings = new MigrationSettings(pages, 2000, DirtyPattern.UNIFORM, 1000, 100, 300, 30);
        LiveMigration lm = new LiveMigration(settings, io.vmsim.core.migration.LiveMigrationPolicies.policy("linear"),
                "linear", 3, s.d());
        RunResult.MigrationResult r = lm.run(LiveMigration.Mode.POSTCOPY);
        assertThat(r.completed()).isTrue();
        assertThat(s.u().faults()).isEqualTo(r.remoteFaults()).isPositive();
        assertThat(s.u().pagesCopied()).isEqualTo(pages);
        assertThat(s.p().mm().rssAnon()).isEqualTo(pages);
        long bound = (100_000_000L + 2 * PAGE * 1_000_000L / 1000) / 1000;
        assertThat(Arrays.stream(s.u().latenciesNs()).boxed().toList()).allSatisfy(w -> assertThat(w).isLessThanOrEqualTo(bound));
        s.m().kernel().allocator.verify();
    }
}
