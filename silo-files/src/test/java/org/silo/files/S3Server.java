package org.silo.files;

import java.net.URI;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/** An S3 server in process (s3proxy over jclouds' in-memory store) on a loopback port, for S3 volumes. */
final class S3Server implements AutoCloseable {
    private final BlobStoreContext context;
    private final S3Proxy proxy;

    S3Server() throws Exception {
        context = ContextBuilder.newBuilder("transient").credentials("identity", "credential").build(BlobStoreContext.class);
        context.getBlobStore().createContainerInLocation(null, "silo");
        proxy = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "access", "secret").build();
        proxy.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!proxy.getState().equals("STARTED")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
            }
            Thread.sleep(10);
        }
    }

    String uri(String prefix) {
        return "s3://silo/" + prefix + "?endpoint=http://127.0.0.1:" + proxy.getPort() + "&access=access&secret=secret";
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
