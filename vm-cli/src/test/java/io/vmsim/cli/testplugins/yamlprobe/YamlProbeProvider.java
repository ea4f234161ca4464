package io.vmsim.cli.testplugins.yamlprobe;

import io.vmsim.api.machine.VmaView;
import io.vmsim.api.policy.HugePagePolicy;
import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;
import org.yaml.snakeyaml.Yaml;

import java.util.Map;

/**
 * THP policy {@code yaml-probe}: a plugin with a library of its own, SnakeYAML, in another
 * version than the core's. It reads its decision from a YAML document with that library and
 * says in its description which jar the library was loaded from, so a test can see both
 * versions live in one JVM.
 */
public final class YamlProbeProvider implements PolicyProvider {
    @Override
    public String name() {
        return "yaml-probe";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.THP;
    }

    @Override
    public String description() {
        return "SnakeYAML from " + Yaml.class.getProtectionDomain().getCodeSource().getLocation();
    }

    @Override
    public Policy create(PolicyContext context) {
        Map<String, Object> doc = new Yaml().load("huge: false\n");
        boolean huge = Boolean.TRUE.equals(doc.get("huge"));
        return (HugePagePolicy) (VmaView vma, long address, boolean write, String enabled, String defrag) ->
                huge ? new HugePagePolicy.FaultDecision(io.vmsim.api.PageSize.SIZE_2M, HugePagePolicy.Effort.LIGHT)
                        : HugePagePolicy.FaultDecision.BASE;
    }
}
