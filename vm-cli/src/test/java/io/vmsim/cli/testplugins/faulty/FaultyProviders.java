package io.vmsim.cli.testplugins.faulty;

import io.vmsim.api.PageSize;
import io.vmsim.api.policy.HugePagePolicy;
import io.vmsim.api.policy.NumaPolicy;
import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;

/**
 * Policies that fail in each way the core must catch, packed into a jar by the tests (never
 * registered on the class path). Each fails only after {@link #GOOD_CALLS} calls, so the run
 * has counters worth writing when it stops.
 */
public final class FaultyProviders {
    /** Calls answered well before the failure. */
    static final int GOOD_CALLS = 3;

    private FaultyProviders() {
    }

    private abstract static class Base implements PolicyProvider {
        @Override
        public String description() {
            return "A deliberately faulty policy for tests.";
        }
    }

    /** THP {@code throwing-thp}: onFault throws. */
    public static final class ThrowingThp extends Base {
        @Override
        public String name() {
            return "throwing-thp";
        }

        @Override
        public PolicyKind kind() {
            return PolicyKind.THP;
        }

        @Override
        public Policy create(PolicyContext context) {
            return new HugePagePolicy() {
                private int calls;

                @Override
                public FaultDecision onFault(io.vmsim.api.machine.VmaView vma, long address, boolean write, String enabled,
                                             String defrag) {
                    if (++calls > GOOD_CALLS) {
                        throw new IllegalStateException("boom");
                    }
                    return new FaultDecision(PageSize.SIZE_2M, Effort.LIGHT);
                }
            };
        }
    }

    /** THP {@code null-thp}: onFault returns null. */
    public static final class NullThp extends Base {
        @Override
        public String name() {
            return "null-thp";
        }

        @Override
        public PolicyKind kind() {
            return PolicyKind.THP;
        }

        @Override
        public Policy create(PolicyContext context) {
            return new HugePagePolicy() {
                private int calls;

                @Override
                public FaultDecision onFault(io.vmsim.api.machine.VmaView vma, long address, boolean write, String enabled,
                                             String defrag) {
                    return ++calls > GOOD_CALLS ? null : FaultDecision.BASE;
                }
            };
        }
    }

    /** NUMA {@code bad-node}: allocationNode returns node 7 on a one- or two-node machine. */
    public static final class BadNode extends Base {
        @Override
        public String name() {
            return "bad-node";
        }

        @Override
        public PolicyKind kind() {
            return PolicyKind.NUMA;
        }

        @Override
        public Policy create(PolicyContext context) {
            return new NumaPolicy() {
                private int calls;

                @Override
                public int allocationNode(io.vmsim.api.machine.TaskView task, io.vmsim.api.machine.VmaView vma, long address,
                                          int localNode) {
                    return ++calls > GOOD_CALLS ? 7 : localNode;
                }
            };
        }
    }

    /** Reclaim {@code throwing-reclaim}: pageAdded throws. */
    public static final class ThrowingReclaim extends Base {
        @Override
        public String name() {
            return "throwing-reclaim";
        }

        @Override
        public PolicyKind kind() {
            return PolicyKind.RECLAIM;
        }

        @Override
        public Policy create(PolicyContext context) {
            return new ReclaimPolicy() {
                private int size;

                @Override
                public void pageAdded(int pfn, boolean anon) {
                    if (++size > GOOD_CALLS) {
                        throw new ArrayIndexOutOfBoundsException(pfn);
                    }
                }

                @Override
                public void pageRemoved(int pfn) {
                    size--;
                }

                @Override
                public void shrink(ScanControl sc) {
                }

                @Override
                public int size() {
                    return size;
                }
            };
        }
    }

    /** THP {@code create-throws}: PolicyProvider.create throws. */
    public static final class CreateThrows extends Base {
        @Override
        public String name() {
            return "create-throws";
        }

        @Override
        public PolicyKind kind() {
            return PolicyKind.THP;
        }

        @Override
        public Policy create(PolicyContext context) {
            throw new IllegalStateException("no model file next to the jar");
        }
    }

    /** Reclaim {@code create-null}: PolicyProvider.create returns null. */
    public static final class CreateNull extends Base {
        @Override
        public String name() {
            return "create-null";
        }

        @Override
        public PolicyKind kind() {
            return PolicyKind.RECLAIM;
        }

        @Override
        public Policy create(PolicyContext context) {
            return null;
        }
    }
}
