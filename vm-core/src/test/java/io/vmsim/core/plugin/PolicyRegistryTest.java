package io.vmsim.core.plugin;

import io.vmsim.api.policy.PolicyException;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;
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
                .containsExactly("fifo", "linux-2list", "lru", "linux", "never", "first-touch", "none");
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
            assertThat(p.getClass()).isNotSameAs(ProbeProvider.class);
            assertThat(p.getClass().getClassLoader()).isNotSameAs(getClass().getClassLoader());
            // The API is shared (same Class), the engine is invisible.
            assertThat(p).isInstanceOf(PolicyProvider.class);
            assertThat(p.create(null)).isInstanceOf(PolicyKind.RECLAIM.policyType());
            assertThat((Boolean) p.getClass().getMethod("canSeeEngine").invoke(null)).isFalse();
        }
    }

    @Test
    void sameNameInTwoJars_namesBothJars(@TempDir Path dir) throws Exception {
        probeJar(dir.resolve("a.jar"));
        probeJar(dir.resolve("b.jar"));
        assertThatThrownBy(() -> PolicyRegistry.load(dir))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("a.jar").hasMessageContaining("b.jar");
    }

    @Test
    void missingPluginFolder_meansNoPlugins(@TempDir Path dir) {
        assertThat(PolicyRegistry.load(dir.resolve("absent")).all()).isEmpty();
    }

    /** Packs the compiled test plugin's classes and a services file into a jar. */
    private static Path probeJar(Path jar) throws IOException {
        String pkg = ProbeProvider.class.getPackageName().replace('.', '/');
        Path classes;
        try {
            classes = Path.of(ProbeProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out);
             Stream<Path> files = Files.list(classes.resolve(pkg))) {
            for (Path f : files.toList()) {
                j.putNextEntry(new JarEntry(pkg + "/" + f.getFileName()));
                j.write(Files.readAllBytes(f));
                j.closeEntry();
            }
            j.putNextEntry(new JarEntry("META-INF/services/" + PolicyProvider.class.getName()));
            j.write((ProbeProvider.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            j.closeEntry();
        }
        return jar;
    }
}
