package org.silo.archive;

import java.net.URI;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/** An S3 server in process (s3proxy over jclouds' transient in-memory store) on a loopback port. */
public final class S3Fixture implements AutoCloseable {
    public static final String BUCKET = "silo";
    private final BlobStoreContext context;
    private final S3Proxy proxy;

    public S3Fixture() throws Exception {
        context = ContextBuilder.newBuilder("transient")
                .credentials("identity", "credential")
                .build(BlobStoreContext.class);
        context.getBlobStore().createContainerInLocation(null, BUCKET);
        proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "access", "secret")
                .build();
        proxy.start();
        awaitStarted(proxy);
    }

    /**
     * Until s3proxy's Jetty has bound ({@code start()} returns before): its state says when. Fails at once
     * if it failed, and after a ceiling of two minutes, a hang guard for a busy machine.
     */
    static void awaitStarted(S3Proxy proxy) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(2);
        while (!proxy.getState().equals("STARTED")) {
            if (proxy.getState().equals("FAILED") || System.nanoTime() > deadline) {
                throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
            }
            Thread.sleep(10);
        }
    }

    /** A backend string for a volume under {@code prefix}. */
    public String uri(String prefix) {
        return "s3://" + BUCKET + "/" + prefix + "?endpoint=http://127.0.0.1:" + proxy.getPort()
                + "&access=access&secret=secret";
    }

    /** Removes an object behind the backend's back (to make fsck find a missing file). */
    public void deleteObject(String key) {
        context.getBlobStore().removeBlob(BUCKET, key);
    }

    /** Overwrites an object behind the backend's back (to make fsck find a corrupted file). */
    public void putObject(String key, byte[] data) {
        var bs = context.getBlobStore();
        bs.putBlob(BUCKET, bs.blobBuilder(key).payload(data).build());
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
