package org.silo.archive;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.filesystem.reference.FilesystemConstants;

/**
 * An S3 server as a process of its own: s3proxy over jclouds' {@code filesystem} provider (each object
 * a file under a directory), in a JVM started from this test's class path. Unlike {@link S3Fixture}
 * (in the test's JVM, objects in memory), its objects outlive a Silo server that is killed, and the
 * process itself can be killed and started again on the same directory and port, as a real store that
 * crashed and came back.
 *
 * <pre>{@code
 * try (S3Process s3 = S3Process.start(dir.resolve("s3"))) {
 *     String backend = s3.uri("vol1"); // s3://silo/vol1?endpoint=http://127.0.0.1:PORT&access=...
 * }
 * }</pre>
 *
 * Ready means the child said so on its standard output after s3proxy bound its port (an event read
 * from the pipe, never a sleep). {@link #start(Path, String, int, List)} runs it at an address and
 * behind a command prefix, such as {@code ip netns exec HOST}.
 */
public final class S3Process implements AutoCloseable {
    public static final String BUCKET = "silo";
    public static final String ACCESS = "access";
    public static final String SECRET = "secret";
    private static final Pattern READY = Pattern.compile("^s3 ready on (\\S+):(\\d+)$");

    private final Process process;
    private final Path dir;
    private final String host;
    private final int port;
    private final List<String> prefix;

    private S3Process(Process process, Path dir, String host, int port, List<String> prefix) {
        this.process = process;
        this.dir = dir;
        this.host = host;
        this.port = port;
        this.prefix = prefix;
    }

    /** On loopback, any free port, objects under {@code dir}. */
    public static S3Process start(Path dir) throws IOException {
        return start(dir, "127.0.0.1", 0, List.of());
    }

    /**
     * On {@code host}:{@code port} (0: any free one), objects under {@code dir}, the JVM started behind
     * {@code prefix} (empty, or e.g. {@code ip netns exec NAME}).
     */
    public static S3Process start(Path dir, String host, int port, List<String> prefix) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path")));
        cmd.addAll(List.of(S3Process.class.getName(), dir.toString(), host, Integer.toString(port)));
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(
                        dir.resolveSibling(dir.getFileName() + ".log").toFile()))
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            Matcher m = READY.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> out.lines().forEach(l -> {}));
                drain.setDaemon(true);
                drain.start();
                return new S3Process(p, dir, m.group(1), Integer.parseInt(m.group(2)), prefix);
            }
            seen.append(line).append('\n');
        }
        p.destroyForcibly();
        throw new IOException("s3proxy ended before it was ready (its log: " + dir + ".log):\n" + seen);
    }

    /** The endpoint Silo's S3 backend is given: {@code http://HOST:PORT}. */
    public String endpoint() {
        return "http://" + host + ":" + port;
    }

    public int port() {
        return port;
    }

    /** A backend string for a volume under {@code prefix} in the bucket. */
    public String uri(String prefix) {
        return "s3://" + BUCKET + "/" + prefix + "?endpoint=" + endpoint() + "&access=" + ACCESS + "&secret=" + SECRET;
    }

    /** kill -9, as a store host that lost power: what was acknowledged is on disk in its directory. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** The same store started again: the same directory, address, port and prefix. */
    public S3Process restart() throws IOException, InterruptedException {
        kill();
        return start(dir, host, port, prefix);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    /**
     * The child: {@code DIR HOST PORT}. Makes the bucket if it is not there yet (a restart finds it),
     * serves until killed, and says {@code s3 ready on HOST:PORT} once the port is bound.
     */
    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.setProperty(FilesystemConstants.PROPERTY_BASEDIR, args[0]);
        BlobStoreContext context =
                ContextBuilder.newBuilder("filesystem").overrides(props).build(BlobStoreContext.class);
        context.getBlobStore().createContainerInLocation(null, BUCKET);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://" + args[1] + ":" + args[2]))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET)
                .build();
        proxy.start();
        S3Fixture.awaitStarted(proxy);
        System.out.println("s3 ready on " + args[1] + ":" + proxy.getPort());
        System.out.flush();
    }
}
