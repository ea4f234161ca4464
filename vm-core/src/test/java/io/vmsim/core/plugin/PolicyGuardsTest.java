package io.vmsim.core.plugin;

import io.vmsim.api.PageSize;
import io.vmsim.api.machine.FrameView;
import io.vmsim.api.machine.MachineView;
import io.vmsim.api.machine.Topology;
import io.vmsim.api.policy.HugePagePolicy;
import io.vmsim.api.policy.NumaPolicy;
import io.vmsim.api.policy.PolicyException;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class PolicyGuardsTest {
    private static final String JAR = "/plugins/x.jar";

    /** A machine of {@code frames} frames on {@code nodes} nodes where frames matching {@code free} are free. */
    private static MachineView machine(int frames, int nodes, IntPredicate free) {
        FrameView fv = fake(FrameView.class, (name, args) -> switch (name) {
            case "nrFrames" -> frames;
            case "isFree" -> free.test((Integer) args[0]);
            default -> throw new UnsupportedOperationException(name);
        });
        Topology topo = fake(Topology.class, (name, args) -> {
            if (name.equals("nrNodes")) {
                return nodes;
            }
            throw new UnsupportedOperationException(name);
        });
        return fake(MachineView.class, (name, args) -> switch (name) {
            case "frames" -> fv;
            case "topology" -> topo;
            default -> throw new UnsupportedOperationException(name);
        });
    }

    private interface Answer {
        Object answer(String method, Object[] args);
    }

    private static <T> T fake(Class<T> type, Answer a) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, m, args) -> a.answer(m.getName(), args)));
    }

    /** A reclaim policy that offers the given victims, in order. */
    private static ReclaimPolicy offering(int... victims) {
        return new ReclaimPolicy() {
            @Override
            public void pageAdded(int pfn, boolean anon) {
            }

            @Override
            public void pageRemoved(int pfn) {
            }

            @Override
            public void shrink(ScanControl sc) {
                for (int v : victims) {
                    sc.reclaim(v);
                }
            }

            @Override
            public int size() {
                return victims.length;
            }
        };
    }

    private static ScanControl recording(List<Integer> reclaimed) {
        return fake(ScanControl.class, (name, args) -> {
            if (name.equals("reclaim")) {
                reclaimed.add((Integer) args[0]);
                return true;
            }
            throw new UnsupportedOperationException(name);
        });
    }

    @Test
    void goodVictims_reachTheCore() {
        List<Integer> reclaimed = new ArrayList<>();
        ReclaimPolicy p = PolicyGuards.guard(offering(3, 5), "ok", JAR, machine(8, 1, pfn -> pfn == 4));
        p.shrink(recording(reclaimed));
        assertThat(reclaimed).containsExactly(3, 5);
    }

    @Test
    void aFreeVictim_stopsTheRunBeforeTheCoreSeesIt() {
        List<Integer> reclaimed = new ArrayList<>();
        ReclaimPolicy p = PolicyGuards.guard(offering(3, 4), "rand", JAR, machine(8, 1, pfn -> pfn == 4));
        assertThatThrownBy(() -> p.shrink(recording(reclaimed)))
                .isInstanceOfSatisfying(PolicyException.class, e -> {
                    assertThat(e.kind()).isEqualTo(PolicyException.Kind.PLUGIN_FAILURE);
                    assertThat(e.origin()).isEqualTo(JAR);
                })
                .hasMessage("policy 'rand' (/plugins/x.jar): ReclaimPolicy.shrink passed frame 4 to ScanControl.reclaim, "
                        + "but that frame is free");
        assertThat(reclaimed).containsExactly(3);
    }

    @Test
    void anOutOfRangeVictim_stopsTheRun() {
        ReclaimPolicy p = PolicyGuards.guard(offering(8), "rand", JAR, machine(8, 1, pfn -> false));
        assertThatThrownBy(() -> p.shrink(recording(new ArrayList<>())))
                .hasMessageContaining("ReclaimPolicy.shrink passed frame 8 to ScanControl.reclaim, which is out of range "
                        + "(the machine has frames 0..7)");
    }

    @Test
    void aThrowingPolicy_isNamedWithTheCall() {
        ReclaimPolicy bad = new ReclaimPolicy() {
            @Override
            public void pageAdded(int pfn, boolean anon) {
                throw new NullPointerException("oops");
            }

            @Override
            public void pageRemoved(int pfn) {
            }

            @Override
            public void shrink(ScanControl sc) {
            }

            @Override
            public int size() {
                return 0;
            }
        };
        ReclaimPolicy p = PolicyGuards.guard(bad, "npe", JAR, machine(8, 1, pfn -> false));
        assertThatThrownBy(() -> p.pageAdded(2, true))
                .isInstanceOf(PolicyException.class).hasCauseInstanceOf(NullPointerException.class)
                .hasMessage("policy 'npe' (/plugins/x.jar): ReclaimPolicy.pageAdded(2) threw java.lang.NullPointerException: oops");
    }

    @Test
    void aNodeThatDoesNotExist_isAnError() {
        NumaPolicy p = PolicyGuards.guard((NumaPolicy) (task, vma, address, local) -> 2, "far", JAR, machine(8, 2, pfn -> false));
        assertThatThrownBy(() -> p.allocationNode(null, null, 0, 0))
                .hasMessage("policy 'far' (/plugins/x.jar): NumaPolicy.allocationNode returned node 2, "
                        + "which does not exist (the machine has nodes 0..1)");
        NumaPolicy ok = PolicyGuards.guard((NumaPolicy) (task, vma, address, local) -> 1, "near", JAR, machine(8, 2, pfn -> false));
        assertThat(ok.allocationNode(null, null, 0, 0)).isEqualTo(1);
    }

    @Test
    void unusableBalancingDecisions_areErrors() {
        NumaPolicy bad = new NumaPolicy() {
            @Override
            public int allocationNode(io.vmsim.api.machine.TaskView task, io.vmsim.api.machine.VmaView vma, long address, int local) {
                return local;
            }

            @Override
            public int hintingFault(io.vmsim.api.machine.TaskView task, io.vmsim.api.policy.NumaHintFault fault) {
                return 5;
            }

            @Override
            public int preferredNode(io.vmsim.api.machine.TaskView task, io.vmsim.api.policy.NumaTaskStats stats) {
                return -2;
            }

            @Override
            public long scanPeriodMs(io.vmsim.api.machine.TaskView task, long periodMs) {
                return 0;
            }

            @Override
            public long scanPages(io.vmsim.api.machine.TaskView task, long pages) {
                throw new IllegalStateException("no");
            }
        };
        NumaPolicy p = PolicyGuards.guard(bad, "odd", JAR, machine(8, 2, pfn -> false));
        assertThatThrownBy(() -> p.hintingFault(null, (io.vmsim.api.policy.NumaHintFault) null))
                .hasMessageContaining("NumaPolicy.hintingFault returned node 5, which does not exist");
        assertThatThrownBy(() -> p.preferredNode(null, null)).hasMessageContaining("NumaPolicy.preferredNode returned node -2");
        assertThatThrownBy(() -> p.scanPeriodMs(null, 100)).hasMessageContaining("NumaPolicy.scanPeriodMs returned 0 ms");
        assertThatThrownBy(() -> p.scanPages(null, 100)).isInstanceOf(PolicyException.class)
                .hasMessageContaining("NumaPolicy.scanPages threw java.lang.IllegalStateException: no");
    }

    @Test
    void unusableHugePageDecisions_areErrors() {
        MachineView m = machine(8, 1, pfn -> false);
        for (HugePagePolicy.FaultDecision d : new HugePagePolicy.FaultDecision[] {null,
                new HugePagePolicy.FaultDecision(null, HugePagePolicy.Effort.LIGHT),
                new HugePagePolicy.FaultDecision(PageSize.SIZE_2M, null),
                new HugePagePolicy.FaultDecision(PageSize.SIZE_1G, HugePagePolicy.Effort.LIGHT)}) {
            HugePagePolicy p = PolicyGuards.guard((HugePagePolicy) (vma, a, w, e, f) -> d, "odd", JAR, m);
            assertThatThrownBy(() -> p.onFault(null, 0x200000, true, "always", "madvise"))
                    .as(String.valueOf(d)).isInstanceOf(PolicyException.class)
                    .hasMessageContaining("HugePagePolicy.onFault returned " + d + " at 0x200000");
        }
        HugePagePolicy fine = PolicyGuards.guard((HugePagePolicy) (vma, a, w, e, f) -> HugePagePolicy.FaultDecision.BASE, "ok", JAR, m);
        assertThat(fine.onFault(null, 0, true, "always", "madvise")).isSameAs(HugePagePolicy.FaultDecision.BASE);
    }

    @Test
    void aBrokenInvariant_isAnInvariantErrorNamingThePolicy() {
        ReclaimPolicy inner = new ReclaimPolicy() {
            @Override
            public void pageAdded(int pfn, boolean anon) {
            }

            @Override
            public void pageRemoved(int pfn) {
            }

            @Override
            public void shrink(ScanControl sc) {
            }

            @Override
            public int size() {
                return 0;
            }

            @Override
            public void verifyInvariants() {
                throw new IllegalStateException("list length 3, counted 2");
            }
        };
        ReclaimPolicy p = PolicyGuards.guard(inner, "leaky", JAR, machine(8, 1, pfn -> false));
        assertThatThrownBy(p::verifyInvariants)
                .isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.kind()).isEqualTo(PolicyException.Kind.INVARIANT))
                .hasMessageContaining("list length 3, counted 2");
    }
}
