package org.silo.archive;

import java.net.URI;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

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

    /**
     * Whether the store refuses a PutObject with {@code If-None-Match: *} over an object that exists (412):
     * asked of the store itself with a client of its own, not through the code under test. s3proxy before
     * 2.8 ignores the header and replaces the object.
     */
    public boolean honoursIfNoneMatch() {
        try (S3Client c = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("access", "secret")))
                .endpointOverride(URI.create("http://127.0.0.1:" + proxy.getPort()))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build()) {
            String key = "probe/if-none-match-" + java.util.UUID.randomUUID();
            c.putObject(r -> r.bucket(BUCKET).key(key).ifNoneMatch("*"), RequestBody.fromString("one"));
            try {
                c.putObject(r -> r.bucket(BUCKET).key(key).ifNoneMatch("*"), RequestBody.fromString("two"));
                return false;
            } catch (S3Exception e) {
                if (e.statusCode() == 412) {
                    return true;
                }
                throw e;
            } finally {
                c.deleteObject(r -> r.bucket(BUCKET).key(key));
            }
        }
    }

    /** The s3proxy version on the class path, for messages. */
    public static String version() {
        String v = S3Proxy.class.getPackage().getImplementationVersion();
        return v == null ? "(version unknown)" : v;
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
