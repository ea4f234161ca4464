package io.vmsim.cli.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The module table of DESIGN.md as rules. vm-cli's test class path holds every module, so the
 * classes are imported here by package; test classes are left out.
 */
final class ModuleBoundariesTest {
    /** Fewer classes than this means the import missed modules and the rules prove nothing. */
    private static final int MIN_CLASSES = 60;

    static final ArchRule API_DEPENDS_ONLY_ON_THE_JDK = classes()
            .that().resideInAPackage("io.vmsim.api..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("io.vmsim.api..", "java..")
            .because("vm-api is the stable SPI and must not drag any library into a plugin");

    static final ArchRule POLICIES_DEPEND_ONLY_ON_THE_API = classes()
            .that().resideInAPackage("io.vmsim.policies..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("io.vmsim.api..", "io.vmsim.policies..", "java..")
            .because("a built-in policy is written exactly as a plugin would be");

    /** The one example plugin that ships a library in its plugin folder, as a plugin may. */
    private static final String BUNDLING_PLUGIN = "io.vmsim.examples.jacksonfixture..";

    static final ArchRule EXAMPLE_PLUGINS_DEPEND_ONLY_ON_THE_API = classes()
            .that().resideInAPackage("io.vmsim.examples..").and().resideOutsideOfPackage(BUNDLING_PLUGIN)
            .should().onlyDependOnClassesThat().resideInAnyPackage("io.vmsim.api..", "io.vmsim.examples..", "java..")
            .because("an example plugin is loaded from its own jar, whose class loader sees only vm-api and the JDK");

    static final ArchRule A_BUNDLING_PLUGIN_DEPENDS_ONLY_ON_THE_API_THE_JDK_AND_WHAT_ITS_FOLDER_HOLDS = classes()
            .that().resideInAPackage(BUNDLING_PLUGIN)
            .should().onlyDependOnClassesThat().resideInAnyPackage("io.vmsim.api..", BUNDLING_PLUGIN, "java..",
                    "javax.xml..", "org.w3c.dom..", "org.xml.sax..", "com.fasterxml.jackson..")
            .because("a plugin's class loader sees vm-api, the JDK's platform modules and the jars of its own folder"
                    + " (here Jackson), never the engine or the engine's libraries");

    static final ArchRule CORE_NEVER_NAMES_A_POLICY_CLASS = noClasses()
            .that().resideInAPackage("io.vmsim.core..")
            .should().dependOnClassesThat().resideInAPackage("io.vmsim.policies..")
            .because("the core finds policies through ServiceLoader only");

    static final ArchRule CORE_DEPENDS_ONLY_ON_THE_API_AND_ITS_LIBRARIES = classes()
            .that().resideInAPackage("io.vmsim.core..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("io.vmsim.core..", "io.vmsim.api..", "java..",
                    "com.google.inject..", "jakarta.inject..", "org.apache.commons.configuration2..", "org.slf4j..",
                    "org.yaml.snakeyaml..", "org.tukaani.xz..", "com.github.luben.zstd..", "org.HdrHistogram..",
                    "jdk.incubator.foreign..")
            .because("DESIGN.md: vm-core depends on vm-api, Guice, Commons Configuration, logging (and its trace and YAML"
                    + " readers, and HdrHistogram for live migration's fault-latency percentiles; the JDK's incubating"
                    + " foreign-function API for liblzma, in NativeXz alone)");

    static final ArchRule NO_PACKAGE_CYCLES = slices()
            .matching("io.vmsim.core.(**)")
            .should().beFreeOfCycles();

    private static JavaClasses classes;
    private static JavaClasses examples;

    @BeforeAll
    static void importModules() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.vmsim.api", "io.vmsim.core", "io.vmsim.policies", "io.vmsim.cli");
        // The example plugins are not on the class path (they would be built-ins there): import their build output.
        examples = new ClassFileImporter().importPaths(exampleClassFolders());
    }

    private static List<Path> exampleClassFolders() {
        Path dir = Path.of(System.getProperty("vmsim.examples.dir", "../plugins-examples"));
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.resolve("target/classes")).filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void enoughClassesWereImported() {
        assertThat(classes.size()).isGreaterThanOrEqualTo(MIN_CLASSES);
        assertThat(classes.containPackage("io.vmsim.api.policy")).isTrue();
        assertThat(classes.containPackage("io.vmsim.core.config")).isTrue();
        assertThat(classes.containPackage("io.vmsim.policies.lru")).isTrue();
        assertThat(classes.containPackage("io.vmsim.policies.thp")).isTrue();
        assertThat(classes.containPackage("io.vmsim.policies.migration")).isTrue();
    }

    @Test
    void enoughExampleClassesWereImported() {
        assertThat(examples.containPackage("io.vmsim.examples.twoq")).isTrue();
        assertThat(examples.containPackage("io.vmsim.examples.thpthreshold")).isTrue();
        assertThat(examples.containPackage("io.vmsim.examples.roundrobin")).isTrue();
        assertThat(examples.containPackage("io.vmsim.examples.jacksonfixture")).isTrue();
    }

    @Test
    void examplePluginsDependOnlyOnTheApi() {
        EXAMPLE_PLUGINS_DEPEND_ONLY_ON_THE_API.check(examples);
    }

    @Test
    void aBundlingPluginDependsOnlyOnTheApiTheJdkAndWhatItsFolderHolds() {
        A_BUNDLING_PLUGIN_DEPENDS_ONLY_ON_THE_API_THE_JDK_AND_WHAT_ITS_FOLDER_HOLDS.check(examples);
    }

    @Test
    void apiDependsOnlyOnTheJdk() {
        API_DEPENDS_ONLY_ON_THE_JDK.check(classes);
    }

    @Test
    void policiesDependOnlyOnTheApi() {
        POLICIES_DEPEND_ONLY_ON_THE_API.check(classes);
    }

    @Test
    void coreNeverNamesAPolicyClass() {
        CORE_NEVER_NAMES_A_POLICY_CLASS.check(classes);
    }

    @Test
    void coreDependsOnlyOnTheApiAndItsLibraries() {
        CORE_DEPENDS_ONLY_ON_THE_API_AND_ITS_LIBRARIES.check(classes);
    }

    @Test
    void corePackagesHaveNoCycles() {
        NO_PACKAGE_CYCLES.check(classes);
    }
}
