package io.vmsim.core.plugin;

import io.vmsim.api.policy.PolicyException;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.core.plugin.testbroken.ThrowingInitProvider;
import io.vmsim.core.plugin.testplugin.ProbeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class PolicyRegistryTest {

    @Test
    void unknownName_isAConfigurationErrorListingNamesAndSuggesting() {
        PolicyRegistry r = FakeProvider.builtInLike();
        assertThatThrownBy(() -> r.provider(PolicyKind.RECLAIM, "lur"))
                .isInstanceOfSatisfying(PolicyException.class, e -> {
                    assertThat(e.kind()).isEqualTo(PolicyException.Kind.CONFIGURATION);
                    assertThat(e.getMessage()).contains("available: fifo, linux-2list, lru").contains("did you mean 'lru'?");
                });
    }

    @Test
    void all_isSortedByKindThenName() {
        assertThat(FakeProvider.builtInLike().all()).extracting(PolicyProvider::name)
                .containsExactly("fifo", "linux-2list", "lru", "linux", "never", "first-touch", "none", "last-fault-first",
                        "linear");
    }

    @Test
    void duplicateNameWithinAKind_namesBothOrigins() {
        assertThatThrownBy(() -> PolicyRegistry.of(List.of(
                new PolicyRegistry.Registration(new FakeProvider("lru", PolicyKind.RECLAIM, List.of()), "built-in (policies-lru)"),
                new PolicyRegistry.Registration(new FakeProvider("lru", PolicyKind.RECLAIM, List.of()), "/p/my.jar"))))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("built-in (policies-lru)").hasMessageContaining("/p/my.jar");
    }

    @Test
    void sameNameInDifferentKinds_isFine() {
        PolicyRegistry r = PolicyRegistry.of(List.of(
                new PolicyRegistry.Registration(new FakeProvider("never", PolicyKind.THP, List.of()), "a"),
                new PolicyRegistry.Registration(new FakeProvider("never", PolicyKind.KSM, List.of()), "b")));
        assertThat(r.origin(r.provider(PolicyKind.KSM, "never"))).isEqualTo("b");
    }

    @Test
    void moduleOf_stripsTheVersionOrUsesTheBuildFolder() {
        assertThat(PolicyRegistry.moduleOf(Path.of("/r/lib/policies-lru-0.1.0-SNAPSHOT.jar"))).isEqualTo("policies-lru");
        assertThat(PolicyRegistry.moduleOf(Path.of("/r/policies-thp/target/classes"))).isEqualTo("policies-thp");
        assertThat(PolicyRegistry.moduleOf(Path.of("/x/my-plugin.jar"))).isEqualTo("my-plugin");
    }

    @Test
    void pluginJar_getsItsOwnLoaderThatSeesOnlyTheApi(@TempDir Path dir) throws Exception {
        Path jar = probeJar(dir.resolve("probe-1.0.jar"));
        try (PolicyRegistry r = PolicyRegistry.load(dir)) {
            PolicyProvider p = r.provider(PolicyKind.RECLAIM, "probe");
            assertThat(r.origin(p)).isEqualTo(jar.toAbsolutePath().normalize().toString());
            Class<?> plugin = ((PluginProvider) p).delegate().getClass();
            assertThat(plugin).isNotSameAs(ProbeProvider.class);
            assertThat(plugin.getClassLoader()).isNotSameAs(getClass().getClassLoader());
            // The API is shared (same Class), the engine is invisible.
            assertThat(p).isInstanceOf(PolicyProvider.class);
            assertThat(p.create(null)).isInstanceOf(PolicyKind.RECLAIM.policyType());
            assertThat((Boolean) plugin.getMethod("canSeeEngine").invoke(null)).isFalse();
            assertThat(r.problems()).isEmpty();
        }
    }

    @Test
    void aPlugin_seesThePlatformModules_andReflectsPastTheJdksAccessorSwitch(@TempDir Path dir) throws Exception {
        probeJar(dir.resolve("probe.jar"));
        try (PolicyRegistry r = PolicyRegistry.load(dir)) {
            Class<?> plugin = ((PluginProvider) r.provider(PolicyKind.RECLAIM, "probe")).delegate().getClass();
            // java.xml is a platform module, not java.*: the old API-only parent refused it
            assertThat((Integer) plugin.getMethod("parseXml").invoke(null)).isEqualTo(7);
            // JDK 17 generates a jdk.internal.reflect accessor class after 15 reflective calls
            assertThat((Long) plugin.getMethod("reflect", int.class).invoke(null, 1000)).isEqualTo(1000L);
        }
    }

    @Test
    void everyCallIntoAPlugin_runsWithItsLoaderAsContextLoader_andRestoresTheCallers(@TempDir Path dir) throws Exception {
        probeJar(dir.resolve("probe.jar"));
        try (PolicyRegistry r = PolicyRegistry.load(dir)) {
            PolicyProvider p = r.provider(PolicyKind.RECLAIM, "probe");
            ClassLoader pluginLoader = ((PluginProvider) p).delegate().getClass().getClassLoader();
            assertThat(PolicyGuards.contextLoader(p)).isSameAs(pluginLoader);
            ClassLoader mine = Thread.currentThread().getContextClassLoader();
            ReclaimPolicy policy = (ReclaimPolicy) p.create(null);
            assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(mine);
            assertThat(policy.size()).as("asked without the plugin's context loader").isZero();
            ReclaimPolicy guarded = new GuardedReclaimPolicy(policy, "probe", r.origin(p), null, PolicyGuards.contextLoader(p));
            assertThat(guarded.size()).as("created and asked with the plugin's context loader").isEqualTo(1);
            assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(mine);
        }
    }

    @Test
    void providersFromTheClassPath_needNoContextLoader() {
        assertThat(FakeProvider.builtInLike().all()).isNotEmpty()
                .allSatisfy(p -> assertThat(PolicyGuards.contextLoader(p)).isNull());
    }

    @Test
    void sameNameInTwoJars_keepsLoading_andSelectingTheNameNamesBothJars(@TempDir Path dir) throws Exception {
        probeJar(dir.resolve("a.jar"));
        probeJar(dir.resolve("b.jar"));
        try (PolicyRegistry r = PolicyRegistry.load(dir)) {
            assertThat(r.problems()).singleElement().satisfies(q -> {
                assertThat(q.origin()).endsWith("b.jar");
                assertThat(q.reason()).contains("duplicate reclaim policy name").contains("a.jar").contains("b.jar");
            });
            assertThatThrownBy(() -> r.provider(PolicyKind.RECLAIM, "probe"))
                    .isInstanceOfSatisfying(PolicyException.class,
                            e -> assertThat(e.kind()).isEqualTo(PolicyException.Kind.CONFIGURATION))
                    .hasMessageContaining("a.jar").hasMessageContaining("b.jar");
        }
    }

    @Test
    void aFileThatIsNotAJar_isReportedNotSkipped(@TempDir Path dir) throws Exception {
        probeJar(dir.resolve("probe.jar"));
        Path notes = Files.writeString(dir.resolve("probe.jar.txt"), "notes");
        try (PolicyRegistry r = PolicyRegistry.load(dir)) {
            assertThat(r.ignored()).containsExactly(notes.toAbsolutePath().normalize());
            assertThat(r.warnings()).singleElement().asString().startsWith(notes.toAbsolutePath().normalize().toString())
                    .contains("neither a jar nor a plugin folder");
            assertThat(r.provider(PolicyKind.RECLAIM, "probe")).isNotNull();
        }
    }

    @Test
    void aServicesFileNamingAMissingClass_isAProblemNamingTheJarAndTheClass(@TempDir Path dir) throws Exception {
        probeJar(dir.resolve("good.jar"));
        Path bad = jar(dir.resolve("bad.jar"), ProbeProvider.class, "com.example.Missing", name -> true, (name, b) -> b);
        try (PolicyRegistry r = PolicyRegistry.load(dir)) {
            assertThat(r.problems()).singleElement().satisfies(q -> {
                assertThat(q.origin()).isEqualTo(bad.toAbsolutePath().normalize().toString());
                assertThat(q.name()).isNull();
                assertThat(q.reason()).contains("com.example.Missing").contains("not found");
            });
            assertThat(r.provider(PolicyKind.RECLAIM, "probe")).as("the other plugin still loads").isNotNull();
            assertThatThrownBy(() -> r.provider(PolicyKind.RECLAIM, "missing"))
                    .hasMessageContaining("plugins not loaded: " + bad.toAbsolutePath().normalize())
                    .hasMessageContaining("com.example.Missing");
        }
    }

    @Test
    void aProviderBuiltForANewerJava_isAProblemNamingTheJarAndTheClassVersion(@TempDir Path dir) throws Exception {
        int newer = Runtime.version().feature() + 44 + 1;
        String provider = ProbeProvider.class.getSimpleName() + ".class";
        Path bad = jar(dir.resolve("newer.jar"), ProbeProvider.class, ProbeProvider.class.getName(), name -> true,
                (name, b) -> {
                    if (name.equals(provider)) {
                        // bytes 6-7 of a class file: its major version (61 is Java 17)
                        b[6] = (byte) (newer >> 8);
                        b[7] = (byte) newer;
                    }
                    return b;
                });
        try (PolicyRegistry r = PolicyRegistry.load(dir)) {
            assertThat(r.problems()).singleElement().satisfies(q -> {
                assertThat(q.origin()).isEqualTo(bad.toAbsolutePath().normalize().toString());
                assertThat(q.reason()).contains("UnsupportedClassVersionError")
                        .contains("class file version " + newer);
            });
            assertThat(r.warnings()).singleElement().asString().startsWith("plugin " + bad.toAbsolutePath().normalize());
        }
    }

    @Test
    void aProviderWhoseStaticInitialiserThrows_isAProblemGivingTheCause(@TempDir Path dir) throws Exception {
        Path bad = jar(dir.resolve("init.jar"), ThrowingInitProvider.class, ThrowingInitProvider.class.getName(),
                name -> true, (name, b) -> b);
        try (PolicyRegistry r = PolicyRegistry.load(dir)) {
            assertThat(r.problems()).singleElement().satisfies(q -> {
                assertThat(q.origin()).isEqualTo(bad.toAbsolutePath().normalize().toString());
                assertThat(q.reason()).contains(ThrowingInitProvider.class.getName())
                        .contains("ExceptionInInitializerError")
                        .contains("IllegalStateException: static setup failed: no limit configured")
                        .doesNotContain("\n");
            });
        }
    }

    @Test
    void missingPluginFolder_meansNoPlugins(@TempDir Path dir) {
        // vm-core's tests see only the built-in NUMA policies (policies-numa, a test dependency)
        PolicyRegistry r = PolicyRegistry.load(dir.resolve("absent"));
        assertThat(r.all()).allSatisfy(p -> assertThat(r.origin(p)).startsWith("built-in"));
        assertThat(r.problems()).isEmpty();
    }

    /** Packs the compiled test plugin's classes and a services file into a jar. */
    private static Path probeJar(Path jar) throws IOException {
        return jar(jar, ProbeProvider.class, ProbeProvider.class.getName(), name -> true, (name, b) -> b);
    }

    /**
     * Packs the compiled classes of {@code anchor}'s package whose file names pass {@code include},
     * each as {@code patch} returns it, and a services file naming {@code service}, into {@code jar}.
     */
    private static Path jar(Path jar, Class<?> anchor, String service, java.util.function.Predicate<String> include,
                            java.util.function.BiFunction<String, byte[], byte[]> patch) throws IOException {
        String pkg = anchor.getPackageName().replace('.', '/');
        Path classes;
        try {
            classes = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out);
             Stream<Path> files = Files.list(classes.resolve(pkg))) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (include.test(name)) {
                    j.putNextEntry(new JarEntry(pkg + "/" + name));
                    j.write(patch.apply(name, Files.readAllBytes(f)));
                    j.closeEntry();
                }
            }
            j.putNextEntry(new JarEntry("META-INF/services/" + PolicyProvider.class.getName()));
            j.write((service + "\n").getBytes(StandardCharsets.UTF_8));
            j.closeEntry();
        }
        return jar;
    }
}
