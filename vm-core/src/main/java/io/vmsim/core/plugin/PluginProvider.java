package io.vmsim.core.plugin;

import io.vmsim.api.config.ConfigKey;
import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

import java.util.List;

/**
 * A plugin's provider as the core holds it: every call runs with the plugin's class loader as
 * the thread's context class loader (as Trino's {@code ThreadContextClassLoader} does), so a
 * library inside the plugin that looks classes up through the context loader (Jackson,
 * JAXP, ServiceLoader without a loader) finds the plugin's classes and never the application's.
 * {@link #name()} and {@link #kind()} are asked once, when the plugin is loaded.
 */
final class PluginProvider implements PolicyProvider {
    private final PolicyProvider p;
    private final ClassLoader loader;
    private final String name;
    private final PolicyKind kind;

    /** Asks {@code p} for its name and kind; whatever they throw propagates. */
    PluginProvider(PolicyProvider p, ClassLoader loader) {
        this.p = p;
        this.loader = loader;
        Thread t = Thread.currentThread();
        ClassLoader saved = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        try {
            this.name = p.name();
            this.kind = p.kind();
        } finally {
            t.setContextClassLoader(saved);
        }
    }

    /** The plugin's class loader if {@code p} came from a plugin, else null (a built-in needs no swap). */
    static ClassLoader loaderOf(PolicyProvider p) {
        return p instanceof PluginProvider pp ? pp.loader : null;
    }

    /** The provider the plugin's jar defined. */
    PolicyProvider delegate() {
        return p;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PolicyKind kind() {
        return kind;
    }

    @Override
    public String description() {
        Thread t = Thread.currentThread();
        ClassLoader saved = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        try {
            return p.description();
        } finally {
            t.setContextClassLoader(saved);
        }
    }

    @Override
    public List<ConfigKey> configKeys() {
        Thread t = Thread.currentThread();
        ClassLoader saved = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        try {
            return p.configKeys();
        } finally {
            t.setContextClassLoader(saved);
        }
    }

    @Override
    public String version() {
        Thread t = Thread.currentThread();
        ClassLoader saved = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        try {
            return p.version();
        } finally {
            t.setContextClassLoader(saved);
        }
    }

    @Override
    public Policy create(PolicyContext context) {
        Thread t = Thread.currentThread();
        ClassLoader saved = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        try {
            return p.create(context);
        } finally {
            t.setContextClassLoader(saved);
        }
    }

    @Override
    public String toString() {
        return p.toString();
    }
}
