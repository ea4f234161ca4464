package io.vmsim.core.plugin.testplugin;

import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;

/**
 * A plugin-style provider (it uses only vm-api) that PolicyRegistryTest copies into a jar.
 * It has no META-INF/services entry in the test class path, so it is never found as built-in.
 */
public final class ProbeProvider implements PolicyProvider {
    @Override
    public String name() {
        return "probe";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.RECLAIM;
    }

    @Override
    public String description() {
        return "Probe of plugin class loading.";
    }

    @Override
    public Policy create(PolicyContext context) {
        return new Probe(contextIsMine());
    }

    /** True if the thread's context class loader is the one that loaded this class (the plugin's). */
    static boolean contextIsMine() {
        return Thread.currentThread().getContextClassLoader() == ProbeProvider.class.getClassLoader();
    }

    /**
     * Calls a method through reflection {@code n} times and sums what it returns. After some
     * calls the JDK swaps in generated accessor classes that must be able to link from here.
     */
    public static long reflect(int n) throws ReflectiveOperationException {
        java.lang.reflect.Method m = ProbeProvider.class.getDeclaredMethod("one");
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += (Integer) m.invoke(null);
        }
        return sum;
    }

    static int one() {
        return 1;
    }

    /** Parses {@code <r><v>7</v></r>} with the JDK's XML parser and returns the number. */
    public static int parseXml() throws Exception {
        javax.xml.parsers.DocumentBuilder b = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder();
        org.w3c.dom.Document d = b.parse(new java.io.ByteArrayInputStream("<r><v>7</v></r>".getBytes(
                java.nio.charset.StandardCharsets.UTF_8)));
        return Integer.parseInt(d.getElementsByTagName("v").item(0).getTextContent());
    }

    /** Tries to reach the engine, which a plugin must not see. */
    public static boolean canSeeEngine() {
        try {
            Class.forName("io.vmsim.core.error.UserError");
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** {@link #size()} is 1 if the policy was created, and is asked, with the plugin's context class loader. */
    static final class Probe implements ReclaimPolicy {
        private final boolean createdInContext;

        Probe(boolean createdInContext) {
            this.createdInContext = createdInContext;
        }

        @Override
        public void pageAdded(int pfn, boolean anon) {
        }

        @Override
        public void pageRemoved(int pfn) {
        }

        @Override
        public void shrink(ScanControl sc) {
        }

        @Override
        public int size() {
            return createdInContext && contextIsMine() ? 1 : 0;
        }
    }
}
