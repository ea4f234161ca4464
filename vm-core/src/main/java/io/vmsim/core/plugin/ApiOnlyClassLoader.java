package io.vmsim.core.plugin;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;

/**
 * The parent of every plugin jar's class loader: it exposes {@code java.*} and vm-api
 * ({@code io.vmsim.api.*}) and nothing else, so a plugin cannot link against the engine,
 * Guice, Commons Configuration or another plugin, and two plugins may bundle different
 * versions of the same library (the isolation of Trino's {@code PluginClassLoader}).
 */
final class ApiOnlyClassLoader extends ClassLoader {
    private static final String API_PACKAGE = "io.vmsim.api.";
    private static final String API_RESOURCES = "io/vmsim/api/";

    private final ClassLoader api;
    private final ClassLoader platform = ClassLoader.getPlatformClassLoader();

    /** {@code api} is the loader that defined vm-api's classes. */
    ApiOnlyClassLoader(ClassLoader api) {
        super("vmsim-api-only", null);
        this.api = api;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith("java.")) {
            return platform.loadClass(name);
        }
        if (name.startsWith(API_PACKAGE)) {
            return api.loadClass(name);
        }
        throw new ClassNotFoundException(name + " is not visible to plugins, which may use only java.* and io.vmsim.api.*");
    }

    @Override
    public URL getResource(String name) {
        return name.startsWith(API_RESOURCES) ? api.getResource(name) : null;
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        // Above all, never META-INF/services from the application: a jar sees only its own providers.
        return name.startsWith(API_RESOURCES) ? api.getResources(name) : Collections.emptyEnumeration();
    }
}
