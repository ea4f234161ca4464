package io.vmsim.policies.lru;

import io.vmsim.api.config.Settings;
import io.vmsim.api.machine.Clock;
import io.vmsim.api.machine.FrameView;
import io.vmsim.api.machine.MachineView;
import io.vmsim.api.machine.Topology;
import io.vmsim.api.policy.PolicyContext;

import java.lang.reflect.Proxy;
import java.util.Random;
import java.util.Set;
import java.util.random.RandomGenerator;

/** A minimal policy context for tests: a machine of N frames on one node, no settings. */
final class TestContexts {
    private TestContexts() {
    }

    static PolicyContext withFrames(int nrFrames) {
        return withFrames(nrFrames, java.util.List.of());
    }

    /** As above, with the declared keys at their defaults. */
    static PolicyContext withFrames(int nrFrames, java.util.List<io.vmsim.api.config.ConfigKey> keys) {
        java.util.Map<String, String> defaults = new java.util.HashMap<>();
        for (io.vmsim.api.config.ConfigKey k : keys) {
            defaults.put(k.name(), k.defaultValue());
        }
        FrameView frames = (FrameView) Proxy.newProxyInstance(FrameView.class.getClassLoader(),
                new Class<?>[] {FrameView.class}, (p, m, a) -> {
                    if (m.getName().equals("nrFrames")) {
                        return nrFrames;
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
        MachineView machine = new MachineView() {
            @Override
            public FrameView frames() {
                return frames;
            }

            @Override
            public Topology topology() {
                throw new UnsupportedOperationException();
            }

            @Override
            public Clock clock() {
                return () -> 0L;
            }

            @Override
            public long vmstat(String name) {
                return -1;
            }
        };
        Settings none = new Settings() {
            @Override
            public Set<String> keys() {
                return defaults.keySet();
            }

            private String value(String key) {
                String v = defaults.get(key);
                if (v == null) {
                    throw new IllegalArgumentException(key);
                }
                return v;
            }

            @Override
            public boolean getBoolean(String key) {
                return Boolean.parseBoolean(value(key));
            }

            @Override
            public long getLong(String key) {
                return Long.parseLong(value(key));
            }

            @Override
            public double getDouble(String key) {
                return Double.parseDouble(value(key));
            }

            @Override
            public String getString(String key) {
                return value(key);
            }
        };
        io.vmsim.api.machine.PageLists lists = io.vmsim.api.machine.IntrusivePageLists.standalone(nrFrames);
        return new PolicyContext() {
            @Override
            public Settings settings() {
                return none;
            }

            @Override
            public MachineView machine() {
                return machine;
            }

            @Override
            public RandomGenerator random() {
                return new Random(1);
            }

            @Override
            public io.vmsim.api.machine.PageLists pageLists() {
                return lists;
            }

            @Override
            public int node() {
                return 0;
            }
        };
    }
}
