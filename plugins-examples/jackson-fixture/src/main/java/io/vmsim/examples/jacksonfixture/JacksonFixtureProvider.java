package io.vmsim.examples.jacksonfixture;

import io.vmsim.api.config.ConfigKey;
import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

import java.util.List;

/**
 * Provides {@link JacksonFixturePolicy} as reclaim policy {@code jackson-fixture}: a plugin
 * that uses libraries the way real ones do (Jackson data binding from its own folder, the
 * JDK's XML parser) on its hot path, so that a test can run it for millions of calls.
 */
public final class JacksonFixtureProvider implements PolicyProvider {
    @Override
    public String name() {
        return "jackson-fixture";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.RECLAIM;
    }

    @Override
    public String description() {
        return "FIFO that sees every access and, every 'every' accesses (JSON rules read with Jackson "
                + JacksonFixturePolicy.jacksonVersion() + "), counts an event 'count' times (XML read with JAXP). Test plugin.";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return List.of(
                ConfigKey.string("rules", "{\"every\": 1000, \"event\": \"pgactivate\"}",
                        "JSON object: every (accesses between reports) and event (a policy event's vmstat name)."),
                ConfigKey.string("report", "<report count=\"1\"/>",
                        "XML element report whose count attribute is how many events one report counts."));
    }

    @Override
    public Policy create(PolicyContext context) {
        return new JacksonFixturePolicy(context.pageLists(), context.events(),
                context.settings().getString("rules"), context.settings().getString("report"));
    }
}
