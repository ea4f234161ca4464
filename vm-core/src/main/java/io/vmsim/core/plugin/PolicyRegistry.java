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
 * that holds the provider's class. Plugin jars come from a folder: each jar gets its own
 * {@link URLClassLoader} whose parent exposes only {@code java.*} and {@code io.vmsim.api.*}
 * (see {@link ApiOnlyClassLoader}), and its origin is the jar's path. Two providers of one
 * kind with the same name are an error naming both origins. A sub-folder of the plugin folder
 * is one plugin whose jars share a class loader: that is how a plugin ships its own libraries,
 * in whatever versions it needs, next to its jar.
 */
public final class PolicyRegistry implements PolicyCatalog, Closeable {

    /** A provider and where it came from. */
    public record Registration(PolicyProvider provider, String origin) {
    }

    private static final Comparator<PolicyProvider> ORDER =
            Comparator.comparing(PolicyProvider::kind).thenComparing(PolicyProvider::name);

    private final List<PolicyProvider> providers;
    private final Map<PolicyProvider, String> origins = new IdentityHashMap<>();
    private final List<URLClassLoader> loaders;

    private PolicyRegistry(List<Registration> registrations, List<URLClassLoader> loaders) {
        List<PolicyProvider> list = new ArrayList<>();
        for (Registration r : registrations) {
            PolicyProvider p = r.provider();
            String name = p.name();
            if (name == null || !name.matches("[a-z0-9][a-z0-9+._-]*") || p.kind() == null) {
                throw new PolicyException(PolicyException.Kind.PLUGIN_FAILURE, String.valueOf(name), r.origin(),
                        "a provider needs a lower-case name (letters, digits, '-', '+', '.', '_') and a kind", null);
            }
            for (PolicyProvider q : list) {
                if (q.kind() == p.kind() && q.name().equals(name)) {
                    throw new PolicyException(PolicyException.Kind.CONFIGURATION, name, r.origin(),
                            "duplicate " + p.kind().configName() + " policy name: provided by both "
                                    + origins.get(q) + " and " + r.origin(), null);
                }
            }
            list.add(p);
            origins.put(p, r.origin());
        }
        list.sort(ORDER);
        this.providers = List.copyOf(list);
        this.loaders = List.copyOf(loaders);
    }

    /** A registry of exactly these providers; for tests and for embedding the simulator. */
    public static PolicyRegistry of(List<Registration> registrations) {
        return new PolicyRegistry(registrations, List.of());
    }

    /** The built-in providers on the application class path. */
    public static PolicyRegistry builtIn() {
        return load(null);
    }

    /**
     * The built-in providers and those of every plugin in {@code pluginsDir} (in name order):
     * each {@code *.jar}, and each sub-folder of jars; a missing folder or null means no plugins.
     *
     * @throws PolicyException if a jar cannot be read or a name is provided twice
     */
    public static PolicyRegistry load(Path pluginsDir) {
        List<Registration> regs = new ArrayList<>();
        ClassLoader app = PolicyRegistry.class.getClassLoader();
        for (PolicyProvider p : ServiceLoader.load(PolicyProvider.class, app)) {
            regs.add(new Registration(p, "built-in (" + moduleOf(p.getClass()) + ")"));
        }
        List<URLClassLoader> loaders = new ArrayList<>();
        if (pluginsDir != null && Files.isDirectory(pluginsDir)) {
            ClassLoader parent = new ApiOnlyClassLoader(PolicyProvider.class.getClassLoader());
            for (Path plugin : pluginsIn(pluginsDir)) {
                String where = plugin.toAbsolutePath().normalize().toString();
                try {
                    List<Path> jars = Files.isDirectory(plugin) ? jarsIn(plugin) : List.of(plugin);
                    URL[] urls = new URL[jars.size()];
                    for (int i = 0; i < urls.length; i++) {
                        urls[i] = jars.get(i).toUri().toURL();
                    }
                    URLClassLoader loader = new URLClassLoader("plugin:" + plugin.getFileName(), urls, parent);
                    loaders.add(loader);
                    for (PolicyProvider p : ServiceLoader.load(PolicyProvider.class, loader)) {
                        regs.add(new Registration(p, jarOf(p.getClass(), where)));
                    }
                } catch (IOException | ServiceConfigurationError | LinkageError e) {
                    throw new PolicyException(PolicyException.Kind.PLUGIN_FAILURE, "?", where,
                            "cannot load the plugin's providers: " + e.getMessage(), e);
                }
            }
        }
        return new PolicyRegistry(regs, loaders);
    }

    /**
     * The plugins of a folder, in name order: each {@code *.jar} is one plugin (a jar with no
     * dependencies, or a fat jar that bundles them), and each sub-folder is one plugin whose
     * jars (the plugin's and its libraries') share one class loader.
     */
    private static List<Path> pluginsIn(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isDirectory(p) || isJar(p)).sorted().toList();
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
        for (PolicyProvider p : providers) {
            if (p.kind() == kind && p.name().equals(name)) {
                return p;
            }
        }
        List<String> names = names(kind);
        throw new PolicyException(PolicyException.Kind.CONFIGURATION, name, "not found",
                "no " + kind.configName() + " policy has this name; available: "
                        + (names.isEmpty() ? "none" : String.join(", ", names))
                        + ClosestName.didYouMean(name, names), null);
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
