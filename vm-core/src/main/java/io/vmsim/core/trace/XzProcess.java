package io.vmsim.core.trace;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The system's {@code xz -dc FILE} as a decompressed stream: the native decoder is about 2.4x
 * faster than the Java one (xz-java) on the lackey traces, and runs in a process of its own, in
 * parallel with parsing. Used for xz-compressed lackey files when liblzma cannot be used in
 * this process and an {@code xz} executable is on the {@code PATH}, or when {@code VMSIM_XZ=xz}
 * (see {@link XzDecoder}). The references are the same either way; a failure of
 * {@code xz} (a truncated or corrupt file) is reported at the end of its output as the Java
 * decoder's would be: "truncated xz stream" or "corrupt xz stream (xz: ...)".
 */
final class XzProcess extends InputStream {
    private final Process process;
    private final InputStream out;
    private boolean checked;

    private final Path file;

    private XzProcess(Process process, Path file) {
        this.process = process;
        this.out = process.getInputStream();
        this.file = file;
    }

    /**
     * Native xz writes what it decoded before it finds the data corrupt, so a parser may meet
     * garbage before xz reports: then {@code xz -t} tells whether the file is damaged. Returns
     * the failure as the Java decoder would throw it, or null if the file is sound.
     */
    IOException integrityFailure() {
        try {
            Process t = new ProcessBuilder(executable().toString(), "-t", "--", file.toString())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            String msg = new String(t.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (t.waitFor() == 0) {
                return null;
            }
            return msg.toLowerCase(Locale.ROOT).contains("unexpected end of input")
                    ? new java.io.EOFException("xz: " + msg) : new IOException("xz: " + msg);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The {@code xz} executable on the PATH, or null. */
    static Path executable() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, "xz");
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Starts {@code xz -dc -- file}. */
    static XzProcess start(Path file) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(executable().toString(), "-dc", "--", file.toString());
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        return new XzProcess(pb.start(), file);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = out.read(b, off, len);
        if (n < 0 && !checked) {
            checked = true;
            check();
        }
        return n;
    }

    /** At the end of the output: xz's exit status and message become the Java decoder's kind of error. */
    private void check() throws IOException {
        int status;
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new IOException("xz did not exit after its output ended");
            }
            status = process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for xz");
        }
        if (status == 0) {
            return;
        }
        String msg = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (msg.toLowerCase(Locale.ROOT).contains("unexpected end of input")) {
            throw new java.io.EOFException("xz: " + msg); // described as a truncated stream
        }
        throw new IOException("xz exited with status " + status + (msg.isEmpty() ? "" : ": " + msg));
    }

    @Override
    public void close() throws IOException {
        try {
            out.close();
            process.getErrorStream().close();
        } finally {
            process.destroy();
        }
    }
}
