package io.vmsim.core;

import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyException;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;
import io.vmsim.core.config.ConfigException;
import io.vmsim.core.plugin.PolicyCatalog;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Configurations whose keys are each valid but cannot make a machine together, refused before it is built. */
final class MachineLimitsTest {
    private static final long GIB = 1L << 30;

    private static String problem(long maxHeap, String... kv) {
        try {
            MachineLimits.check(TestConfig.of(kv), maxHeap);
        } catch (ConfigException e) {
            assertThat(e.problems()).hasSize(1);
            return e.problems().get(0);
        }
        return null;
    }

    @Test
    void swapOf256GibOnOneDevice_doesNotFitIts2To26Slots_andTheMessageSaysWhatDoes() {
        // a swap entry's offset has 26 bits: a device holds at most 2^26 - 1 slots of 4 KiB
        long maxKib = ((1L << 26) - 1) * 4;
        assertThat(problem(Long.MAX_VALUE, "swap.size", "256G")).startsWith("'swap.size' = '" + (256 * GIB) + "': ")
                .contains("with swap.devices = 1 at most " + maxKib + "K fits; set swap.devices=2 for this size");
        assertThat(problem(Long.MAX_VALUE, "swap.size", maxKib + "K")).isNull();
        assertThat(problem(Long.MAX_VALUE, "swap.size", "256G", "swap.devices", "2")).isNull();
        assertThat(problem(Long.MAX_VALUE, "swap.size", "1T", "swap.devices", "2")).contains("set swap.devices=5");
    }

    @Test
    void minFreeKbytes_fitsUpToTheLastValueWhoseHighWatermarkIsBelowMemory_andThatMachineBoots() {
        long frames = (64L << 20) >> 12;
        // __setup_per_zone_wmarks(): high = min + 2 * max(min / 4, managed * watermark_scale_factor / 10000)
        long expected = -1;
        for (long kb = 0; kb <= frames * 4; kb++) {
            long min = kb / 4;
            long high = min + 2 * Math.max(min / 4, frames * 10 / 10000);
            if (high < frames) {
                expected = kb;
            }
        }
        assertThat(MachineLimits.maxMinFreeKbytes(frames, 10)).isEqualTo(expected);
        String[] fits = {"machine.memory", "64M", "vm.min_free_kbytes", Long.toString(expected)};
        assertThat(problem(Long.MAX_VALUE, fits)).isNull();
        Machine m = Machine.create(TestConfig.of(fits), new TestCatalog());
        assertThat(m.kernel().allocator.minFreeKbytes()).isEqualTo(expected);

        String tooMuch = Long.toString(expected + 1);
        assertThatThrownBy(() -> Machine.create(TestConfig.of("machine.memory", "64M", "vm.min_free_kbytes", tooMuch),
                new TestCatalog()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("'vm.min_free_kbytes' = '" + tooMuch + "': too large for machine.memory = 67108864")
                .hasMessageContaining("at most " + expected + " fits");
    }

    @Test
    void heapEstimate_countsAllOfMemoryUntouched_andTheFirst4GibTouched_andTooSmallAHeapIsNamed() {
        // untouched, per frame of machine.memory: 8 section references of 8 bytes per 2^15 frames,
        // a pageblock byte per 512 frames, memcg's owner byte; 18 per swap slot; 64 MiB fixed.
        // Touched: 32 bytes of frame arrays + 16 for a policy + 8 of page tables, for the first
        // 2^20 frames (4 GiB) whether or not the run touches them.
        long frames = (16L * GIB) >> 12;
        long slots = GIB >> 12;
        long need = (frames >> 15) * 64 + frames / 512 + frames + slots * 18 + (64L << 20) + (1L << 20) * (32 + 16 + 8);
        assertThat(MachineLimits.heapEstimate(TestConfig.of("machine.memory", "16G", "swap.size", "1G"))).isEqualTo(need);
        assertThat(MachineLimits.fullHeapEstimate(TestConfig.of("machine.memory", "16G", "swap.size", "1G")))
                .isEqualTo(need + (frames - (1L << 20)) * (32 + 16 + 8));
        assertThat(problem(need, "machine.memory", "16G", "swap.size", "1G")).isNull();
        long mib = (need + (1L << 20) - 1) >> 20;
        assertThat(problem(need - 1, "machine.memory", "16G", "swap.size", "1G"))
                .startsWith("'machine.memory' = '17179869184': a machine of 4,194,304 frames and 262,144 swap slots needs about ")
                .contains("needs about " + mib + " MiB of Java heap before its workload touches more than 4G, more than the "
                        + ((need - 1) >> 20) + " MiB this JVM may use")
                // a quarter to spare, in whole MiB below a GiB
                .contains("VMSIM_JAVA_OPTS=-Xmx" + ((need + need / 4 + (1L << 20) - 1) >> 20) + "m");
        // 4 TiB: the untouched part is about 1 GiB (memcg's owner byte), far below the default heap
        long fourT = MachineLimits.heapEstimate(TestConfig.of("machine.memory", "4T"));
        assertThat(fourT).isEqualTo(((1L << 30) >> 15) * 64 + (1L << 30) / 512 + (1L << 30) + (64L << 20)
                + (1L << 20) * (32 + 16 + 8));
        assertThat(problem(2 * GIB, "machine.memory", "4T")).isNull();
        // a run may touch what the heap holds beyond the untouched part, at 56 bytes a frame
        long untouched = fourT - (1L << 20) * (32 + 16 + 8);
        assertThat(MachineLimits.sectionBudget(TestConfig.of("machine.memory", "4T"), 6 * GIB))
                .isEqualTo((6 * GIB - untouched) / (56L << 15));
                // NUMA balancing keeps last_cpupid, an int per frame, over all of memory
        assertThat(MachineLimits.heapEstimate(TestConfig.of("machine.memory", "4T", "kernel.numa_balancing", "1")))
                .isEqualTo(fourT + 4L * (1L << 30));
    }

    @Test
    void aPolicyThatFailsWhileTheMachineIsBuilt_isReportedAsItself_notAsAGuiceError() {
        TestCatalog base = new TestCatalog();
        PolicyProvider broken = new PolicyProvider() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public PolicyKind kind() {
                return PolicyKind.RECLAIM;
            }

            @Override
            public String description() {
                return "throws from create()";
            }

            @Override
            public Policy create(PolicyContext context) {
                throw new IllegalStateException("no lists today");
            }
        };
        PolicyCatalog catalog = new PolicyCatalog() {
            @Override
            public PolicyProvider provider(PolicyKind kind, String name) {
                return name.equals("broken") ? broken : base.provider(kind, name);
            }

            @Override
            public String origin(PolicyProvider provider) {
                return "test";
            }

            @Override
            public List<PolicyProvider> all() {
                List<PolicyProvider> all = new ArrayList<>(base.all());
                all.add(broken);
                return all;
            }
        };
        assertThatThrownBy(() -> Machine.create(TestConfig.of("policy.reclaim", "broken"), catalog))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("broken")
                .hasMessageContaining("no lists today");
    }
}
