package io.vmsim.core.config;

import io.vmsim.api.config.ConfigKey;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;
import io.vmsim.core.error.ClosestName;
import io.vmsim.core.plugin.PolicyCatalog;
import org.apache.commons.configuration2.PropertiesConfiguration;
import org.apache.commons.configuration2.YAMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds the {@link EffectiveConfig} of a run from four layers, each overriding the one before:
 * <ol>
 *   <li>declared defaults: {@link CoreKeys#ALL} and the keys of each selected policy provider,
 *       under {@code policy.<kind>.<name>.};</li>
 *   <li>the scenario's defaults;</li>
 *   <li>an optional file, YAML ({@code .yaml}/{@code .yml}, nested or with dotted keys) or
 *       {@code .properties}, read with Apache Commons Configuration;</li>
 *   <li>{@code --set key=value} overrides.</li>
 * </ol>
 * Every supplied key is validated against its declaration and every problem is gathered into
 * one {@link ConfigException}. Typical use:
 * <pre>{@code
 * EffectiveConfig config = new ConfigLoader(catalog)
 *         .scenarioDefaults(scenario.name(), scenario.config())
 *         .file(configPath)
 *         .assignments(List.of("vm.swappiness=10"))
 *         .load();
 * }</pre>
 */
public final class ConfigLoader {
    /** Source label of a declared default, as {@code vmsim config show} prints it. */
    public static final String DEFAULT = "default";
    /** Source label of a {@code --set} override. */
    public static final String COMMAND_LINE = "command line";

    private static final String POLICY_PREFIX = "policy.";

    /** One layer of supplied values: its label for {@code config show} and its phrase for messages. */
    private record Layer(String label, String where, Map<String, String> values) {
    }

    private record Supplied(String value, Layer layer) {
    }

    private final PolicyCatalog catalog;
    private final List<Layer> layers = new ArrayList<>();
    private final Layer commandLine = new Layer(COMMAND_LINE, "in --set", new LinkedHashMap<>());
    private final List<String> problems = new ArrayList<>();

    /** A loader whose policy names and policy keys are resolved in {@code catalog}. */
    public ConfigLoader(PolicyCatalog catalog) {
        this.catalog = catalog;
    }

    /** Adds the defaults a scenario sets; {@code scenarioName} names them in sources and messages. */
    public ConfigLoader scenarioDefaults(String scenarioName, Map<String, String> defaults) {
        layers.add(new Layer("scenario " + scenarioName, "in scenario " + scenarioName, new LinkedHashMap<>(defaults)));
        return this;
    }

    /** Adds a configuration file; null means none. Problems reading it are reported by {@link #load()}. */
    public ConfigLoader file(Path file) {
        if (file != null) {
            layers.add(new Layer(file.toString(), "in " + file, readFile(file, problems)));
        }
        return this;
    }

    /** Adds one command-line override. */
    public ConfigLoader set(String key, String value) {
        commandLine.values().put(key.trim(), value.trim());
        return this;
    }

    /** Adds command-line overrides written {@code key=value}; a malformed one is reported by {@link #load()}. */
    public ConfigLoader assignments(List<String> keyEqualsValue) {
        for (String a : keyEqualsValue) {
            int eq = a.indexOf('=');
            if (eq <= 0 || a.substring(0, eq).isBlank()) {
                problems.add("'--set " + a + "': expected key=value, e.g. --set vm.swappiness=10");
            } else {
                set(a.substring(0, eq), a.substring(eq + 1));
            }
        }
        return this;
    }

    /**
     * Merges and validates the layers.
     *
     * @throws ConfigException listing every problem found
     */
    public EffectiveConfig load() {
        List<String> found = new ArrayList<>(problems);
        Map<String, Supplied> supplied = new LinkedHashMap<>();
        List<Layer> all = new ArrayList<>(layers);
        all.add(commandLine);
        for (Layer layer : all) {
            layer.values().forEach((k, v) -> supplied.put(CoreKeys.ALIASES.getOrDefault(k, k), new Supplied(v, layer)));
        }

        Map<String, ConfigKey> declared = new LinkedHashMap<>();
        for (ConfigKey k : CoreKeys.ALL) {
            declared.put(k.name(), k);
        }
        // Resolve the selected policy of each kind first: their keys join the declarations.
        Map<PolicyKind, PolicyProvider> selected = new LinkedHashMap<>();
        for (PolicyKind kind : PolicyKind.values()) {
            String key = POLICY_PREFIX + kind.configName();
            Supplied s = supplied.get(key);
            String name = s != null ? s.value().trim() : declared.get(key).defaultValue();
            if (s == null && kind == PolicyKind.NUMA && balancingOn(supplied)) {
                name = NUMA_BALANCING_POLICY; // kernel.numa_balancing selects AutoNUMA's placement policy
            }
            PolicyProvider p = find(kind, name);
            if (p == null) {
                found.add(unknownPolicy(kind, name, s == null ? "default" : s.layer().where()));
            } else {
                selected.put(kind, p);
                for (ConfigKey k : p.configKeys()) {
                    declared.put(policyPrefix(kind, p.name()) + k.name(), k);
                }
            }
        }

        Map<String, Object> typed = new LinkedHashMap<>();
        Map<String, String> text = new LinkedHashMap<>();
        Map<String, String> source = new LinkedHashMap<>();
        Map<String, ConfigKey> extra = new LinkedHashMap<>();
        for (Map.Entry<String, Supplied> e : supplied.entrySet()) {
            String key = e.getKey();
            String where = e.getValue().layer().where();
            ConfigKey decl = declared.get(key);
            if (decl == null) {
                decl = keyOfUnselectedPolicy(key, where, found);
                if (decl == null) {
                    continue;
                }
                extra.put(key, decl);
            }
            ValueRules.Checked c = ValueRules.check(key, decl, e.getValue().value(), where);
            if (!c.ok()) {
                found.add(c.problem());
            } else if (isPolicySelector(key)) {
                // Store the provider's own spelling of its name.
                PolicyKind kind = PolicyKind.byConfigName(key.substring(POLICY_PREFIX.length()));
                PolicyProvider p = selected.get(kind);
                typed.put(key, p == null ? c.value() : p.name());
                text.put(key, p == null ? c.text() : p.name());
                source.put(key, e.getValue().layer().label());
            } else {
                typed.put(key, c.value());
                text.put(key, c.text());
                source.put(key, e.getValue().layer().label());
            }
        }
        for (Map.Entry<String, ConfigKey> d : declared.entrySet()) {
            if (!typed.containsKey(d.getKey()) && !supplied.containsKey(d.getKey())) {
                String dflt = d.getKey().equals(CoreKeys.POLICY_NUMA) && selected.get(PolicyKind.NUMA) != null
                        ? selected.get(PolicyKind.NUMA).name() : d.getValue().defaultValue();
                ValueRules.Checked c = ValueRules.check(d.getKey(), d.getValue(), dflt, "default");
                if (!c.ok()) {
                    // A provider declared a default its own rule rejects: a plugin bug, still reported.
                    found.add(c.problem());
                    continue;
                }
                typed.put(d.getKey(), c.value());
                text.put(d.getKey(), c.text());
                source.put(d.getKey(), DEFAULT);
            }
        }
        if (!found.isEmpty()) {
            throw new ConfigException(found);
        }
        declared.putAll(extra);
        return new EffectiveConfig(declared, typed, text, source, selected, catalog);
    }

    /** The NUMA policy when {@code kernel.numa_balancing} is on and {@code policy.numa} is not given. */
    static final String NUMA_BALANCING_POLICY = "linux";

    /** True if {@code kernel.numa_balancing} is supplied and not 0 (a bad value is reported with the other keys). */
    private static boolean balancingOn(Map<String, Supplied> supplied) {
        Supplied b = supplied.get(CoreKeys.NUMA_BALANCING);
        return b != null && !b.value().trim().equals("0") && !b.value().trim().isEmpty();
    }

    public static String policyPrefix(PolicyKind kind, String name) {
        return POLICY_PREFIX + kind.configName() + "." + name + ".";
    }

    private static boolean isPolicySelector(String key) {
        for (PolicyKind k : PolicyKind.values()) {
            if (key.equals(POLICY_PREFIX + k.configName())) {
                return true;
            }
        }
        return false;
    }

    private PolicyProvider find(PolicyKind kind, String name) {
        for (PolicyProvider p : catalog.all()) {
            if (p.kind() == kind && p.name().equalsIgnoreCase(name)) {
                return p;
            }
        }
        return null;
    }

    private List<String> namesOf(PolicyKind kind) {
        List<String> names = new ArrayList<>();
        for (PolicyProvider p : catalog.all()) {
            if (p.kind() == kind) {
                names.add(p.name());
            }
        }
        return names;
    }

    private String unknownPolicy(PolicyKind kind, String name, String where) {
        return "unknown " + kind.configName() + " policy '" + name + "' (" + where + "); " + available(kind, name)
                + catalog.whyMissing(kind, name);
    }

    /** "available: a, b; did you mean 'a'?" for the providers of a kind. */
    private String available(PolicyKind kind, String name) {
        List<String> names = namesOf(kind);
        return "available: " + (names.isEmpty() ? "none" : String.join(", ", names)) + ClosestName.didYouMean(name, names);
    }

    /**
     * The declaration of a key under {@code policy.<kind>.<name>.} for a provider that is not
     * selected (a file may hold settings for several), or null after reporting why the key is
     * unknown.
     */
    private ConfigKey keyOfUnselectedPolicy(String key, String where, List<String> found) {
        if (key.startsWith(POLICY_PREFIX)) {
            String[] parts = key.split("\\.", 4);
            if (parts.length == 4) {
                PolicyKind kind = kindOf(parts[1]);
                if (kind != null) {
                    PolicyProvider p = find(kind, parts[2]);
                    if (p == null) {
                        found.add("unknown key '" + key + "' (" + where + "): there is no " + kind.configName()
                                + " policy '" + parts[2] + "'; " + available(kind, parts[2]));
                        return null;
                    }
                    List<String> names = new ArrayList<>();
                    for (ConfigKey k : p.configKeys()) {
                        names.add(policyPrefix(kind, p.name()) + k.name());
                        if (k.name().equals(parts[3])) {
                            return k;
                        }
                    }
                    found.add("unknown key '" + key + "' (" + where + "); " + (names.isEmpty()
                            ? kind.configName() + " policy '" + p.name() + "' has no settings"
                            : "policy '" + p.name() + "' declares " + String.join(", ", names))
                            + ClosestName.didYouMean(key, names));
                    return null;
                }
            }
        }
        found.add("unknown key '" + key + "' (" + where + ")" + ClosestName.didYouMean(key, knownKeys()));
        return null;
    }

    private static PolicyKind kindOf(String configName) {
        for (PolicyKind k : PolicyKind.values()) {
            if (k.configName().equals(configName)) {
                return k;
            }
        }
        return null;
    }

    /** Every key a user could mean: the core's and every provider's, in catalogue order. */
    private Set<String> knownKeys() {
        Set<String> keys = new LinkedHashSet<>();
        for (ConfigKey k : CoreKeys.ALL) {
            keys.add(k.name());
        }
        for (PolicyProvider p : catalog.all()) {
            for (ConfigKey k : p.configKeys()) {
                keys.add(policyPrefix(p.kind(), p.name()) + k.name());
            }
        }
        return keys;
    }

    /**
     * Reads a YAML or properties file into flat dotted keys, in file order. YAML may nest
     * ({@code vm: {swappiness: 60}}) or use dotted keys ({@code vm.swappiness: 60}); both give
     * the same key because we join node names ourselves instead of asking Commons
     * Configuration for its keys, which escapes a dot inside a node name as {@code ..}.
     */
    static Map<String, String> readFile(Path file, List<String> problems) {
        Map<String, String> out = new LinkedHashMap<>();
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : "";
        if (!ext.equals("yaml") && !ext.equals("yml") && !ext.equals("properties")) {
            problems.add("config file '" + file + "': expected a .yaml, .yml or .properties file");
            return out;
        }
        if (!Files.isRegularFile(file)) {
            problems.add("config file '" + file + "' does not exist");
            return out;
        }
        try (Reader r = Files.newBufferedReader(file)) {
            if (ext.equals("properties")) {
                PropertiesConfiguration p = new PropertiesConfiguration();
                p.read(r);
                for (Iterator<String> it = p.getKeys(); it.hasNext(); ) {
                    String key = it.next();
                    if (p.getList(key).size() > 1) {
                        problems.add("'" + key + "' is given more than once in " + file);
                    }
                    out.put(key, p.getString(key));
                }
            } else {
                YAMLConfiguration y = new YAMLConfiguration();
                y.read(r);
                Set<String> dupes = new TreeSet<>();
                flatten(y.getNodeModel().getNodeHandler().getRootNode(), "", out, dupes);
                for (String d : dupes) {
                    problems.add("'" + d + "' in " + file + ": expected a single value, not a list or a repeated key");
                }
            }
        } catch (ConfigurationException | IOException | RuntimeException e) {
            problems.add("cannot read config file '" + file + "': " + firstLine(e));
        }
        return out;
    }

    private static void flatten(ImmutableNode node, String prefix, Map<String, String> out, Set<String> dupes) {
        for (ImmutableNode child : node.getChildren()) {
            String key = prefix.isEmpty() ? child.getNodeName() : prefix + "." + child.getNodeName();
            if (!child.getChildren().isEmpty()) {
                flatten(child, key, out, dupes);
            } else if (out.containsKey(key)) {
                dupes.add(key);
            } else {
                out.put(key, child.getValue() == null ? "" : child.getValue().toString());
            }
        }
    }

    private static String firstLine(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.lines().map(String::trim).filter(s -> !s.isEmpty()).findFirst().orElse(m);
    }
}
