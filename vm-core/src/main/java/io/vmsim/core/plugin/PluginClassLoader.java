package io.vmsim.core.plugin;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The class loader of one plugin (a jar, or a folder of jars), after Trino's
 * {@code PluginClassLoader}: its parent is the platform class loader, so a plugin sees the
 * JDK's platform modules ({@code java.*}, {@code javax.xml}, {@code java.sql}, ...) but not the
 * application's class path; vm-api ({@code io.vmsim.api.*}) comes from the loader that defined
 * it, so plugin and core share one {@code PolicyProvider}; everything else is looked up in the
 * plugin's own jars first. A plugin therefore cannot link against the engine, Guice, Commons
 * Configuration or another plugin, and two plugins may bundle different versions of one library.
 *
 * <p>Packages of the JDK's own modules always come from the JDK (parent first), so a stray
 * copy of, say, {@code javax.xml.parsers} in a plugin's folder cannot shadow the real one; this
 * also keeps the classes the JDK generates for reflection ({@code jdk.internal.reflect}) linkable.
 */
final class PluginClassLoader extends URLClassLoader {
    private static final String API_PACKAGE = "io.vmsim.api.";
    private static final String API_RESOURCES = "io/vmsim/api/";
    /** Every package of the boot layer's modules defined by the boot or platform loader. */
    private static final Set<String> JDK_PACKAGES = jdkPackages();

    static {
        ClassLoader.registerAsParallelCapable();
    }

    private final ClassLoader api;

    /** {@code api} is the loader that defined vm-api's classes. */
    PluginClassLoader(String name, URL[] jars, ClassLoader api) {
        super(name, jars, ClassLoader.getPlatformClassLoader());
        this.api = api;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                if (name.startsWith(API_PACKAGE)) {
                    c = api.loadClass(name);
                } else if (isJdk(name)) {
                    c = getParent().loadClass(name);
                } else {
                    try {
                        c = findClass(name);
                    } catch (ClassNotFoundException e) {
                        c = getParent().loadClass(name);
                    }
                }
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    private static boolean isJdk(String className) {
        int dot = className.lastIndexOf('.');
        return dot > 0 && (className.startsWith("java.") || JDK_PACKAGES.contains(className.substring(0, dot)));
    }

    @Override
    public URL getResource(String name) {
        if (name.startsWith(API_RESOURCES)) {
            return api.getResource(name);
        }
        URL u = findResource(name);
        return u != null ? u : getParent().getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        if (name.startsWith(API_RESOURCES)) {
            return api.getResources(name);
        }
        // Never the application's resources: above all not its META-INF/services, so that a
        // plugin's ServiceLoader finds only its own providers.
        List<URL> all = new ArrayList<>(Collections.list(findResources(name)));
        all.addAll(Collections.list(getParent().getResources(name)));
        return Collections.enumeration(all);
    }

    private static Set<String> jdkPackages() {
        Set<String> packages = new HashSet<>();
        ClassLoader platform = ClassLoader.getPlatformClassLoader();
        for (Module m : ModuleLayer.boot().modules()) {
            ClassLoader l = m.getClassLoader();
            if (l == null || l == platform) {
                packages.addAll(m.getPackages());
            }
        }
        return Set.copyOf(packages);
    }
}
