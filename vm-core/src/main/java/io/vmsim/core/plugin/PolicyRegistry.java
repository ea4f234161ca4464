package io.vmsim.core.plugin;

import io.vmsim.core.error.ClosestName;
import io.vmsim.api.policy.PolicyException;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

import java.io.Closeable;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * Every policy provider the simulator can use, by kind and name.
 *
 * <p>Built-in providers are found with {@link ServiceLoader} on the application class path;
 * their origin is {@code built-in (MODULE)}, the module taken from the jar (or build folder)
 * that holds the provider's class. Plugins come from a folder: each jar, or each sub-folder of
 * jars (a plugin and its own libraries, in whatever versions it needs), gets its own
 * {@link PluginClassLoader}, which sees the JDK's platform modules, {@code io.vmsim.api.*} and
 * the plugin's jars; the origin of its providers is the jar's path. Every call into a plugin's
 * provider runs with the plugin's loader as the thread's context class loader ({@link PluginProvider}).
 *
 * <p>A plugin that cannot be loaded (a services file naming a missing class, a class built for
 * a newer Java, a provider that throws while it is made), or a provider whose kind and name
 * another provider already has, does not stop the others: it is kept as a {@link Problem},
 * which {@link #provider} reports when that policy is selected and the command line lists.
 */
public final class PolicyRegistry implements PolicyCatalog, Closeable {

    /** A provider and where it came from. */
    public record Registration(PolicyProvider provider, String origin) {
    }

    /**
     * A plugin, or one provider of it, that cannot be used: where it came from (a jar or a
     * plugin folder), the kind and name when known (else null), why, and the kind of error it
     * is when selected (CONFIGURATION for a duplicate name, PLUGIN_FAILURE otherwise).
     */
    public record Problem(String origin, PolicyKind kind, String name, String reason, PolicyException.Kind errorKind) {
    }

    private static final Comparator<PolicyProvider> ORDER =
            Comparator.comparing(PolicyProvider::kind).thenComparing(PolicyProvider::name);
    private static final String NAME_RULE = "[a-z0-9][a-z0-9+._-]*";

    private final List<PolicyProvider> providers;
    private final Map<PolicyProvider, String> origins = new IdentityHashMap<>();
    private final List<URLClassLoader> loaders;
    private final List<Problem> problems;
    private final List<Path> ignored;

    /** {@code strict}: a bad or duplicate registration throws instead of becoming a problem. */
    private PolicyRegistry(List<Registration> registrations, List<Problem> problems, List<Path> ignored,
                           List<URLClassLoader> loaders, boolean strict) {
        List<PolicyProvider> list = new ArrayList<>();
        List<Problem> found = new ArrayList<>(problems);
        for (Registration r : registrations) {
            PolicyProvider p = r.provider();
            String name = p.name();
            String reason = null;
            PolicyException.Kind kind = PolicyException.Kind.PLUGIN_FAILURE;
            if (name == null || !name.matches(NAME_RULE) || p.kind() == null) {
                reason = "a provider needs a lower-case name (letters, digits, '-', '+', '.', '_') and a kind";
            } else {
                for (PolicyProvider q : list) {
                    if (q.kind() == p.kind() && q.name().equals(name)) {
                        reason = "duplicate " + p.kind().configName() + " policy name: provided by both "
                                + origins.get(q) + " and " + r.origin();
                        kind = PolicyException.Kind.CONFIGURATION;
                        break;
                    }
                }
            }
            if (reason == null) {
                list.add(p);
                origins.put(p, r.origin());
            } else if (strict) {
                throw new PolicyException(kind, String.valueOf(name), r.origin(), reason, null);
            } else {
                found.add(new Problem(r.origin(), p.kind(), name, reason, kind));
            }
        }
        list.sort(ORDER);
        this.providers = List.copyOf(list);
        this.loaders = List.copyOf(loaders);
        this.problems = List.copyOf(found);
        this.ignored = List.copyOf(ignored);
    }

    /** A registry of exactly these providers, for tests and for embedding the simulator; a duplicate name throws. */
    public static PolicyRegistry of(List<Registration> registrations) {
        return new PolicyRegistry(registrations, List.of(), List.of(), List.of(), true);
    }

    /** The built-in providers on the application class path. */
    public static PolicyRegistry builtIn() {
        return load(null);
    }

    /**
     * The built-in providers and those of every plugin in {@code pluginsDir} (in name order):
     * each {@code *.jar}, and each sub-folder of jars; a missing folder or null means no plugins.
     * A plugin that cannot be loaded, and a provider whose name is taken, become {@link #problems()};
     * a file that is neither a jar nor a folder is in {@link #ignored()}.
     *
     * @throws PolicyException if the plugin folder cannot be listed
     */
    public static PolicyRegistry load(Path pluginsDir) {
        List<Registration> regs = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        List<Path> ignored = new ArrayList<>();
        ClassLoader app = PolicyRegistry.class.getClassLoader();
        for (PolicyProvider p : ServiceLoader.load(PolicyProvider.class, app)) {
            regs.add(new Registration(p, "built-in (" + moduleOf(p.getClass()) + ")"));
        }
        List<URLClassLoader> loaders = new ArrayList<>();
        if (pluginsDir != null && Files.isDirectory(pluginsDir)) {
            ClassLoader api = PolicyProvider.class.getClassLoader();
            for (Path plugin : entriesOf(pluginsDir)) {
                if (!Files.isDirectory(plugin) && !isJar(plugin)) {
                    ignored.add(plugin.toAbsolutePath().normalize());
                    continue;
                }
                String where = plugin.toAbsolutePath().normalize().toString();
                List<Registration> mine = new ArrayList<>();
                try {
                    List<Path> jars = Files.isDirectory(plugin) ? jarsIn(plugin) : List.of(plugin);
                    if (jars.isEmpty()) {
                        problems.add(new Problem(where, null, null, "the plugin folder holds no jar", PolicyException.Kind.PLUGIN_FAILURE));
                        continue;
                    }
                    URL[] urls = new URL[jars.size()];
                    for (int i = 0; i < urls.length; i++) {
                        urls[i] = jars.get(i).toUri().toURL();
                    }
                    PluginClassLoader loader = new PluginClassLoader("plugin:" + plugin.getFileName(), urls, api);
                    loaders.add(loader);
                    for (PolicyProvider p : ServiceLoader.load(PolicyProvider.class, loader)) {
                        mine.add(new Registration(new PluginProvider(p, loader), jarOf(p.getClass(), where)));
                    }
                    if (mine.isEmpty()) {
                        problems.add(new Problem(where, null, null, "no provider is named in META-INF/services/"
                                + PolicyProvider.class.getName(), PolicyException.Kind.PLUGIN_FAILURE));
                    }
                    regs.addAll(mine);
                } catch (IOException | ServiceConfigurationError | LinkageError | RuntimeException e) {
                    // The whole plugin is out: a half-loaded plugin would run without parts it expects.
                    String reason = "cannot load the plugin's providers: " + describe(e);
                    problems.add(new Problem(where, null, null, reason, PolicyException.Kind.PLUGIN_FAILURE));
                    for (Registration r : mine) {
                        problems.add(new Problem(r.origin(), r.provider().kind(), r.provider().name(), reason,
                                PolicyException.Kind.PLUGIN_FAILURE));
                    }
                }
            }
        }
        return new PolicyRegistry(regs, problems, ignored, loaders, false);
    }

    /** An error and its causes, on one line: {@code X: message; caused by Y: message}. */
    static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(e.toString());
        for (Throwable c = e.getCause(); c != null && c != e; c = c.getCause() == c ? null : c.getCause()) {
            sb.append("; caused by ").append(c);
        }
        return sb.toString().replaceAll("\\s*\\R\\s*", " ");
    }

    /**
     * The plugins of a folder, in name order: each {@code *.jar} is one plugin (a jar with no
     * dependencies, or a fat jar that bundles them), and each sub-folder is one plugin whose
     * jars (the plugin's and its libraries') share one class loader. Anything else is listed too,
     * so that it can be reported rather than skipped in silence.
     */
    private static List<Path> entriesOf(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new PolicyException(PolicyException.Kind.CONFIGURATION, "?", dir.toString(),
                    "cannot list the plugin folder: " + e.getMessage(), e);
        }
    }

    private static List<Path> jarsIn(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(PolicyRegistry::isJar).sorted().toList();
        }
    }

    private static boolean isJar(Path p) {
        return p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p);
    }

    /** The jar that defined a plugin's class: the origin to name in errors; {@code fallback} if unknown. */
    private static String jarOf(Class<?> c, String fallback) {
        CodeSource cs = c.getProtectionDomain().getCodeSource();
        if (cs == null || cs.getLocation() == null) {
            return fallback;
        }
        try {
            return Path.of(cs.getLocation().toURI()).toAbsolutePath().normalize().toString();
        } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return fallback;
        }
    }

    /**
     * The module a class came from: the jar's name without its version
     * ({@code policies-lru-0.1.0-SNAPSHOT.jar} gives {@code policies-lru}), or for a build
     * folder {@code MODULE/target/classes} the module folder's name.
     */
    static String moduleOf(Class<?> c) {
        CodeSource cs = c.getProtectionDomain().getCodeSource();
        if (cs == null || cs.getLocation() == null) {
            return "unknown";
        }
        Path p;
        try {
            p = Path.of(cs.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return cs.getLocation().toString();
        }
        return moduleOf(p);
    }

    static String moduleOf(Path location) {
        Path name = location.getFileName();
        if (name == null) {
            return location.toString();
        }
        String file = name.toString();
        if (file.endsWith(".jar")) {
            return file.substring(0, file.length() - 4).replaceFirst("-\\d[^/]*$", "");
        }
        Path parent = location.getParent();
        if ((file.equals("classes") || file.equals("test-classes")) && parent != null
                && parent.getFileName() != null && parent.getFileName().toString().equals("target")
                && parent.getParent() != null && parent.getParent().getFileName() != null) {
            return parent.getParent().getFileName().toString();
        }
        return file;
    }

    @Override
    public PolicyProvider provider(PolicyKind kind, String name) {
        for (Problem q : problems) {
            if (q.kind() == kind && name.equals(q.name())) {
                throw new PolicyException(q.errorKind(), name, q.origin(), q.reason(), null);
            }
        }
        for (PolicyProvider p : providers) {
            if (p.kind() == kind && p.name().equals(name)) {
                return p;
            }
        }
        List<String> names = names(kind);
        throw new PolicyException(PolicyException.Kind.CONFIGURATION, name, "not found",
                "no " + kind.configName() + " policy has this name; available: "
                        + (names.isEmpty() ? "none" : String.join(", ", names))
                        + ClosestName.didYouMean(name, names) + whyMissing(kind, name), null);
    }

    @Override
    public String whyMissing(PolicyKind kind, String name) {
        for (Problem q : problems) {
            if (q.kind() == kind && name.equals(q.name())) {
                return "; " + q.origin() + " provides it but " + q.reason();
            }
        }
        StringBuilder unloaded = new StringBuilder();
        for (Problem q : problems) {
            if (q.name() == null) {
                unloaded.append(unloaded.length() == 0 ? "; plugins not loaded: " : ", ").append(q.origin())
                        .append(" (").append(q.reason()).append(')');
            }
        }
        return unloaded.toString();
    }

    /** The plugins and providers that could not be loaded or registered, in the order found. */
    public List<Problem> problems() {
        return problems;
    }

    /** Files of the plugin folder that are neither jars nor plugin folders, and so were not loaded. */
    public List<Path> ignored() {
        return ignored;
    }

    /** One line per ignored file and per problem, for a command to print as warnings. */
    public List<String> warnings() {
        List<String> lines = new ArrayList<>();
        for (Path p : ignored) {
            lines.add(p + " is in the plugin folder but is neither a jar nor a plugin folder; ignored");
        }
        for (Problem q : problems) {
            String what = q.name() == null ? "plugin " + q.origin()
                    : (q.kind() == null ? "" : q.kind().configName() + " ") + "policy '" + q.name() + "' (" + q.origin() + ")";
            lines.add(what + " is not usable: " + q.reason());
        }
        return lines;
    }

    /** The names of the providers of a kind, sorted. */
    public List<String> names(PolicyKind kind) {
        return providers.stream().filter(p -> p.kind() == kind).map(PolicyProvider::name).toList();
    }

    @Override
    public String origin(PolicyProvider provider) {
        String o = origins.get(provider);
        if (o == null) {
            throw new IllegalArgumentException("provider " + provider.name() + " is not in this registry");
        }
        return o;
    }

    @Override
    public List<PolicyProvider> all() {
        return providers;
    }

    /** Closes the plugin jars' class loaders; policies created from them must no longer be used. */
    @Override
    public void close() throws IOException {
        for (URLClassLoader l : loaders) {
            l.close();
        }
    }
}
