package io.vmsim.core.mrc;

import io.vmsim.api.config.Settings;
import io.vmsim.api.machine.PageLists;
import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyException;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;
import io.vmsim.core.config.CoreConfig;
import io.vmsim.core.plugin.PolicyRegistry;
import io.vmsim.core.report.JsonWriter;
import io.vmsim.core.report.Progress;
import io.vmsim.core.trace.PreparsedTrace;
import io.vmsim.core.trace.TraceReader;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The study engine with small policies written here, so vm-core needs no policy module. */
final class MrcStudyTest {

    /** FIFO through the frames' links, with hooks the tests use. */
    static class Fifo implements ReclaimPolicy {
        final PageLists lists;
        final int list;

        Fifo(PolicyContext c) {
            lists = c.pageLists();
            list = lists.newList();
        }

        @Override
        public void pageAdded(int pfn, boolean anon) {
            lists.addHead(list, pfn);
        }

        @Override
        public void pageRemoved(int pfn) {
            lists.remove(list, pfn);
        }

        @Override
        public void shrink(ScanControl sc) {
            int v = lists.tail(list);
            lists.remove(list, v);
            sc.reclaim(v);
        }

        @Override
        public int size() {
            return lists.size(list);
        }
    }

    private static PolicyProvider provider(String name, Function<PolicyContext, Policy> create) {
        return new PolicyProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public PolicyKind kind() {
                return PolicyKind.RECLAIM;
            }

            @Override
            public String description() {
                return "test policy.";
            }

            @Override
            public Policy create(PolicyContext context) {
                return create.apply(context);
            }
        };
    }

    private static final CoreConfig NO_SETTINGS = new CoreConfig() {
        @Override
        public boolean getBoolean(String key) {
            throw new IllegalArgumentException(key);
        }

        @Override
        public long getLong(String key) {
            return 42; // the seed
        }

        @Override
        public double getDouble(String key) {
            throw new IllegalArgumentException(key);
        }

        @Override
        public String getString(String key) {
            throw new IllegalArgumentException(key);
        }

        @Override
        public Settings policySettings(PolicyKind kind, String policyName) {
            return new Settings() {
                @Override
                public Set<String> keys() {
                    return Set.of();
                }

                @Override
                public boolean getBoolean(String key) {
                    throw new IllegalArgumentException(key);
                }

                @Override
                public long getLong(String key) {
                    throw new IllegalArgumentException(key);
                }

                @Override
                public double getDouble(String key) {
                    throw new IllegalArgumentException(key);
                }

                @Override
                public String getString(String key) {
                    throw new IllegalArgumentException(key);
                }
            };
        }
    };

    private static MrcTrace pages(long... pages) {
        long[] refs = new long[pages.length];
        for (int i = 0; i < pages.length; i++) {
            refs[i] = TraceReader.encode(pages[i] << 12, TraceReader.LOAD);
        }
        return MrcTrace.of(PreparsedTrace.of("test", refs));
    }

    private static MrcStudy.Outcome run(MrcTrace t, int[] frames, PolicyProvider... ps) {
        List<PolicyRegistry.Registration> regs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (PolicyProvider p : ps) {
            regs.add(new PolicyRegistry.Registration(p, "test"));
            names.add(p.name());
        }
        return MrcStudy.run(t, names, frames, PolicyRegistry.of(regs), NO_SETTINGS, 2, Progress.NONE);
    }

    @Test
    void fifo_countsColdMisses_andMissesAfterEviction() {
        // 3 frames: 1 2 3 miss, 1 hit, 4 evicts 1, 1 evicts 2: 5 misses of 6.
        MrcStudy.Outcome o = run(pages(1, 2, 3, 1, 4, 1), new int[] {3, 1, 10}, provider("fifo", Fifo::new));
        assertThat(o.refs()).isEqualTo(6);
        assertThat(o.distinctPages()).isEqualTo(4);
        assertThat(o.results()).extracting(MrcStudy.Result::misses).containsExactly(5L, 6L, 4L);
        assertThat(o.results().get(0).missRatio()).isEqualTo(5.0 / 6);
    }

    @Test
    void results_comeInTheOrderAsked_policiesOuter() {
        MrcStudy.Outcome o = run(pages(1, 2, 3), new int[] {2, 1}, provider("b", Fifo::new), provider("a", Fifo::new));
        assertThat(o.results()).extracting(r -> r.policy() + r.frames()).containsExactly("b2", "b1", "a2", "a1");
    }

    @Test
    void hits_setTheAccessedBit_thatTestAndClearYoungConsumes() {
        List<Boolean> seen = new ArrayList<>();
        PolicyProvider p = provider("young", c -> new Fifo(c) {
            @Override
            public void shrink(ScanControl sc) {
                int v = lists.tail(list);
                seen.add(sc.testAndClearYoung(v));
                seen.add(sc.testAndClearYoung(v));
                super.shrink(sc);
            }
        });
        // 1 is hit before 3 arrives: young once, then cleared. 2 was never hit.
        run(pages(1, 2, 1, 3, 4), new int[] {2}, p);
        assertThat(seen).containsExactly(true, false, false, false);
    }

    @Test
    void shadowReturnedAtEviction_isHandedBackWhenThePageRefaults() {
        List<Long> refaults = new ArrayList<>();
        PolicyProvider p = provider("shadow", c -> new Fifo(c) {
            @Override
            public long pageEvicted(int pfn) {
                return 1000 + c.machine().frames().pageKey(pfn);
            }

            @Override
            public void pageRefaulted(int pfn, long shadow) {
                refaults.add(shadow);
            }
        });
        run(pages(7, 8, 9, 7), new int[] {2}, p);
        assertThat(refaults).containsExactly(1007L);
    }

    /** A FIFO that records what the study tells it, for the study-only hooks. */
    private static class StudyFifo extends Fifo implements io.vmsim.api.policy.OfflineStudy {
        Study study;

        StudyFifo(io.vmsim.api.policy.PolicyContext c) {
            super(c);
        }

        @Override
        public void study(Study s) {
            this.study = s;
        }
    }

    @Test
    void incomingPageKey_namesThePageThatMissed() {
        List<Long> incoming = new ArrayList<>();
        PolicyProvider p = provider("incoming", c -> new StudyFifo(c) {
            @Override
            public void shrink(ScanControl sc) {
                incoming.add(study.incomingPageKey());
                super.shrink(sc);
            }
        });
        run(pages(5, 6, 7), new int[] {1}, p);
        assertThat(incoming).containsExactly(6L, 7L);
    }

    @Test
    void victimThatHoldsNoPage_stopsTheRunNamingThePolicy() {
        PolicyProvider p = provider("liar", c -> new Fifo(c) {
            @Override
            public void shrink(ScanControl sc) {
                sc.reclaim(3);
            }
        });
        assertThatThrownBy(() -> run(pages(1, 2, 3), new int[] {2, 5}, p))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("liar").hasMessageContaining("frame 3");
    }

    @Test
    void shrinkThatFreesNothing_isAnError() {
        PolicyProvider p = provider("lazy", c -> new Fifo(c) {
            @Override
            public void shrink(ScanControl sc) {
            }
        });
        assertThatThrownBy(() -> run(pages(1, 2), new int[] {1}, p))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("lazy").hasMessageContaining("reclaimed nothing");
    }

    @Test
    void nonPositiveFrameCount_isRejectedWithTheValue() {
        assertThatThrownBy(() -> run(pages(1), new int[] {0}, provider("fifo", Fifo::new)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
    }

    @Test
    void json_hasTheDocumentedShape() {
        MrcStudy.Outcome o = run(pages(1, 2, 1), new int[] {1}, provider("fifo", Fifo::new));
        assertThat(JsonWriter.render(o.toTree())).contains("\"trace\": \"test\"", "\"refs\": 3", "\"distinct_pages\": 2",
                "\"policy\": \"fifo\"", "\"frames\": 1", "\"misses\": 3", "\"miss_ratio\": 1.0");
    }

    @Test
    void plot_isAnSvgWithOneCurvePerPolicy() {
        MrcStudy.Outcome o = run(pages(1, 2, 3, 1, 2, 3), new int[] {1, 2, 4}, provider("a", Fifo::new),
                provider("b", Fifo::new));
        String svg = MrcPlot.svg(o);
        assertThat(svg).startsWith("<svg").contains("frames (log scale)").endsWith("</svg>\n");
        assertThat(svg.split("<polyline", -1)).hasSize(3);
        assertThat(MrcPlot.html(o)).startsWith("<!DOCTYPE html>").contains("<svg");
    }
}
