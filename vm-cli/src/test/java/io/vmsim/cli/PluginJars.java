package io.vmsim.cli;

import io.vmsim.api.policy.PolicyProvider;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/** Finds the example plugins' packaged jars and packs test plugins into jars. */
final class PluginJars {
    private PluginJars() {
    }

    /**
     * The jar that the build packaged for example plugin {@code module} (a folder of
     * plugins-examples). The folder comes from the system property {@code vmsim.examples.dir}
     * that vm-cli's surefire configuration sets.
     */
    static Path example(String module) throws IOException {
        Path target = Path.of(System.getProperty("vmsim.examples.dir", "../plugins-examples")).resolve(module).resolve("target");
        try (Stream<Path> s = Files.exists(target) ? Files.list(target) : Stream.empty()) {
            return s.filter(p -> p.getFileName().toString().matches("plugin-" + module + "-[^-].*\\.jar")
                            && !p.getFileName().toString().endsWith("-sources.jar"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no packaged jar of plugin '" + module + "' in " + target
                            + ": build it first (./mvnw -o install -DskipTests -pl plugins-examples/" + module + ")"));
        }
    }

    /** Every example plugin module's compiled classes, for the architecture rules. */
    static List<Path> exampleClassFolders() throws IOException {
        Path dir = Path.of(System.getProperty("vmsim.examples.dir", "../plugins-examples"));
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.resolve("target/classes")).filter(Files::isDirectory).sorted().toList();
        }
    }

    /**
     * Packs the compiled classes of {@code anchor}'s package (from the test class folder) and a
     * services file naming {@code providers} into {@code jar}, as a plugin author's build would.
     */
    static Path pack(Path jar, Class<?> anchor, List<Class<?>> providers) throws IOException {
        String pkg = anchor.getPackageName().replace('.', '/');
        Path classes;
        try {
            classes = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        Files.createDirectories(jar.getParent());
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out);
             Stream<Path> files = Files.list(classes.resolve(pkg))) {
            for (Path f : files.sorted().toList()) {
                j.putNextEntry(new JarEntry(pkg + "/" + f.getFileName()));
                j.write(Files.readAllBytes(f));
                j.closeEntry();
            }
            j.putNextEntry(new JarEntry("META-INF/services/" + PolicyProvider.class.getName()));
            StringBuilder sb = new StringBuilder();
            for (Class<?> c : providers) {
                sb.append(c.getName()).append('\n');
            }
            j.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            j.closeEntry();
        }
        return jar;
    }
}
