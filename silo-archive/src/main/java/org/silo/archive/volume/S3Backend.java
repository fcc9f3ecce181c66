package org.silo.archive.volume;

import java.io.InputStream;
import java.net.URI;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A volume in an S3-compatible object store ({@code s3://BUCKET/PREFIX}): Ceph, MinIO, AWS. File
 * number {@code n} is the object {@code PREFIX/NNNNNNN}; a file counts once PutObject has been
 * acknowledged. Each new file's PutObject carries {@code If-None-Match: *}, so that a store that honours
 * it never replaces an object another writer put under that number (a mover of a server that died, still
 * writing after the catalog gave the volume to another): the write fails instead, as on a {@code dir:}
 * volume. A store that ignores the header replaces it; there only the catalog's fence guards. Options
 * as URI query parameters: {@code endpoint} (for stores other than AWS; implies path-style addressing),
 * {@code region} (default us-east-1). Credentials come from the usual AWS chain (environment, {@code
 * ~/.aws}); without any, requests go unsigned.
 *
 * <pre>{@code s3://archive/vol0001?endpoint=http://ceph.example:7480&region=default}</pre>
 */
public final class S3Backend implements Backend {
    private final String uri;
    private final String bucket;
    private final String prefix;
    private final S3Client s3;
    private long last = -1;
    /**
     * Look for objects at the next numbers before taking one: at a writer's binding (a mover of a server that
     * died may have put files it did not record) and after another writer put a file this one meant to.
     */
    private boolean probe = true;

    S3Backend(String uri, String bucket, String prefix, S3Client s3) {
        this.uri = uri;
        this.bucket = bucket;
        this.prefix = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
        this.s3 = s3;
    }

    /** Opens {@code s3://BUCKET/PREFIX[?endpoint=URL&region=R&access=KEY&secret=SECRET]}. */
    public static S3Backend connect(String uri) throws SiloException {
        URI u;
        try {
            u = URI.create(uri);
        } catch (IllegalArgumentException e) {
            throw SiloException.invalid("bad S3 backend '" + uri + "': " + e.getMessage());
        }
        String bucket = u.getHost();
        if (bucket == null || bucket.isEmpty()) {
            throw SiloException.invalid("bad S3 backend '" + uri + "': expected s3://BUCKET/PREFIX");
        }
        String prefix = u.getPath() == null ? "" : u.getPath().replaceFirst("^/", "");
        String endpoint = UriParams.param(u.getRawQuery(), "endpoint");
        String region = UriParams.param(u.getRawQuery(), "region");
        String access = UriParams.param(u.getRawQuery(), "access");
        String secret = UriParams.param(u.getRawQuery(), "secret");
        AwsCredentialsProvider creds;
        if (access != null && secret != null) {
            creds = StaticCredentialsProvider.create(AwsBasicCredentials.create(access, secret));
        } else {
            creds = hasDefaultCredentials()
                    ? DefaultCredentialsProvider.builder().build()
                    : AnonymousCredentialsProvider.create();
        }
        var b = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .region(Region.of(region == null ? "us-east-1" : region))
                .credentialsProvider(creds)
                // plain checksums: older Ceph, MinIO and s3proxy do not take the SDK's trailing checksums
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (endpoint != null) {
            b.endpointOverride(URI.create(endpoint)).forcePathStyle(true);
        }
        return new S3Backend(uri, bucket, prefix, b.build());
    }

    /**
     * Whether credentials are configured in the environment or {@code ~/.aws}; the instance metadata
     * service is not asked here (off a cloud host it answers only after a timeout).
     */
    private static boolean hasDefaultCredentials() {
        if (System.getenv("AWS_ACCESS_KEY_ID") != null
                || System.getProperty("aws.accessKeyId") != null
                || System.getenv("AWS_WEB_IDENTITY_TOKEN_FILE") != null
                || System.getenv("AWS_PROFILE") != null) {
            return true;
        }
        String home = System.getProperty("user.home");
        return home != null && java.nio.file.Files.exists(java.nio.file.Path.of(home, ".aws", "credentials"));
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public synchronized String append(byte[] data) throws SiloException {
        try {
            long n = nextNumber();
            String cookie = Backend.cookie(n);
            putNew(n, (long) data.length, RequestBody.fromBytes(data));
            last = n;
            return cookie;
        } catch (SdkException e) {
            throw SiloException.of(ErrorCode.IO, "cannot append to " + uri + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized String append(InputStream in, long size, BeforeCommit beforeCommit) throws SiloException {
        long n;
        try {
            n = nextNumber();
        } catch (SdkException e) {
            throw SiloException.of(ErrorCode.IO, "cannot append to " + uri + ": " + e.getMessage(), e);
        }
        try {
            putNew(n, size, RequestBody.fromInputStream(in, size));
        } catch (SdkException e) {
            throw SiloException.of(ErrorCode.IO, "cannot append to " + uri + ": " + e.getMessage(), e);
        }
        last = n; // the object exists now, kept or not: never reuse its number
        try {
            beforeCommit.check();
        } catch (SiloException | RuntimeException e) {
            try {
                s3.deleteObject(r -> r.bucket(bucket).key(key(n)));
            } catch (SdkException ignored) {
                // an object that is in no catalog record; fsck does not count it
            }
            throw e;
        }
        return Backend.cookie(n);
    }

    /**
     * A new object is spooled to a local temporary file and uploaded by commit in one PutObject (the
     * store acknowledges it whole or not at all); its number is taken when the file is started.
     */
    @Override
    public synchronized NewFile create() throws SiloException {
        long n;
        try {
            n = nextNumber();
        } catch (SdkException e) {
            throw SiloException.of(ErrorCode.IO, "cannot append to " + uri + ": " + e.getMessage(), e);
        }
        last = n;
        try {
            java.nio.file.Path spool = java.nio.file.Files.createTempFile("silo-s3-" + n + "-", ".part");
            java.nio.channels.FileChannel channel =
                    java.nio.channels.FileChannel.open(spool, java.nio.file.StandardOpenOption.WRITE);
            java.io.OutputStream out =
                    new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 20);
            return new NewFile() {
                private boolean committed;

                @Override
                public java.io.OutputStream out() {
                    return out;
                }

                @Override
                public String cookie() {
                    return Backend.cookie(n);
                }

                @Override
                public void rewind(long position) throws java.io.IOException {
                    out.flush();
                    channel.truncate(position);
                    channel.position(position);
                }

                @Override
                public void commit(BeforeCommit check) throws SiloException {
                    try {
                        out.close();
                        putNew(n, null, RequestBody.fromFile(spool));
                    } catch (java.io.IOException | SdkException e) {
                        throw SiloException.of(ErrorCode.IO, "cannot append to " + uri + ": " + e.getMessage(), e);
                    }
                    try {
                        check.check();
                    } catch (SiloException | RuntimeException e) {
                        try {
                            s3.deleteObject(r -> r.bucket(bucket).key(key(n)));
                        } catch (SdkException ignored) {
                            // an object in no catalog record
                        }
                        throw e;
                    }
                    committed = true;
                    close();
                }

                @Override
                public void close() {
                    try {
                        out.close();
                    } catch (java.io.IOException ignored) {
                        // removing it anyway
                    }
                    try {
                        java.nio.file.Files.deleteIfExists(spool);
                    } catch (java.io.IOException ignored) {
                        // a temporary file left behind
                    }
                }
            };
        } catch (java.io.IOException e) {
            throw SiloException.of(ErrorCode.IO, "cannot spool a file for " + uri + ": " + e.getMessage(), e);
        }
    }

    private String key(long n) {
        return prefix + String.format("%07d", n);
    }

    /**
     * PutObject of new file {@code n} ({@code length} null: the body's own), only if no object has that key
     * ({@code If-None-Match: *}): the store answers 412 PreconditionFailed if one has, or 409
     * ConditionalRequestConflict if another put of the key was in flight, and keeps the other writer's
     * object. Then this writer does not count the number as its own: it fails the file as a dir volume does,
     * deletes nothing, and looks past the other's objects before it numbers another file.
     *
     * <p>Each put carries a token of its own (user metadata {@code silo-put}): an attempt the SDK retried
     * after the first was stored but its answer lost (a connection that broke while the body was sent) meets
     * its own object, 412, and the token read back says so; that put succeeded.
     */
    private void putNew(long n, Long length, RequestBody body) throws SiloException {
        String token = java.util.UUID.randomUUID().toString();
        try {
            s3.putObject(
                    r -> r.bucket(bucket)
                            .key(key(n))
                            .contentLength(length)
                            .ifNoneMatch("*")
                            .metadata(java.util.Map.of(PUT_TOKEN, token)),
                    body);
        } catch (S3Exception e) {
            String code =
                    e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            if (e.statusCode() == 412 || "ConditionalRequestConflict".equals(code)) {
                if (token.equals(putToken(n))) {
                    return;
                }
                synchronized (this) {
                    probe = true;
                }
                throw new LostVolumeException(
                        "cannot append to " + uri + ": file " + n
                                + " of the volume exists already: another writer wrote it (" + e.statusCode() + " "
                                + code + ")",
                        e);
            }
            throw e;
        }
    }

    private static final String PUT_TOKEN = "silo-put";

    /** The token of the put that made object {@code n}; null if there is none, or it cannot be read. */
    private String putToken(long n) {
        try {
            return s3.headObject(r -> r.bucket(bucket).key(key(n))).metadata().get(PUT_TOKEN);
        } catch (SdkException e) {
            return null;
        }
    }

    @Override
    public synchronized void startWriter(long nextFile) {
        if (nextFile - 1 > last) {
            last = nextFile - 1;
        }
        probe = true;
    }

    /**
     * The next file number: one past the last counted, and, when a probe is due, past any object already
     * at that number (a HEAD each), as a dir volume looks for a file of that name. Between the look and the
     * put another writer may still put the number: {@code If-None-Match} then fails this writer's file.
     */
    private long nextNumber() {
        long n = lastFileNumber() + 1;
        if (probe) {
            while (exists(n)) {
                n++;
            }
            probe = false;
        }
        return n;
    }

    private boolean exists(long n) {
        try {
            s3.headObject(r -> r.bucket(bucket).key(key(n)));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    /** The highest file number counted: the volume's objects listed once, or raised since (startWriter, appends). */
    private long lastFileNumber() {
        if (last < 0) {
            long max = 0;
            var req =
                    ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).build();
            for (S3Object o : s3.listObjectsV2Paginator(req).contents()) {
                String name = o.key().substring(prefix.length());
                if (name.matches("[0-9]{7,18}")) {
                    max = Math.max(max, Long.parseLong(name));
                }
            }
            last = max;
        }
        return last;
    }

    @Override
    public InputStream open(String cookie) throws SiloException {
        Location at = Backend.location(cookie);
        long n = at.fileNumber();
        try {
            if (at.whole()) {
                return s3.getObject(r -> r.bucket(bucket).key(key(n)));
            }
            if (at.length() == 0) {
                s3.headObject(r -> r.bucket(bucket).key(key(n))); // NOT_FOUND still says so
                return InputStream.nullInputStream();
            }
            // a container's member: a ranged GET of its bytes only (RFC 9110 14.1.2, last byte inclusive)
            String range = "bytes=" + at.offset() + "-" + (at.offset() + at.length() - 1);
            return new RangeInputStream(
                    s3.getObject(r -> r.bucket(bucket).key(key(n)).range(range)), at.length());
        } catch (NoSuchKeyException e) {
            throw SiloException.of(ErrorCode.NOT_FOUND, "no file at cookie " + cookie + " on " + uri);
        } catch (SdkException e) {
            throw SiloException.of(ErrorCode.IO, "cannot read " + cookie + " on " + uri + ": " + e.getMessage(), e);
        }
    }

    /** Deletes the object at {@code cookie} (a container a repack emptied; tests). */
    @Override
    public void delete(String cookie) throws SiloException {
        long n = Backend.fileNumber(cookie);
        try {
            s3.headObject(r -> r.bucket(bucket).key(key(n)));
        } catch (NoSuchKeyException e) {
            return;
        } catch (SdkException e) {
            if (!(e instanceof S3Exception x && x.statusCode() == 404)) {
                throw SiloException.of(
                        ErrorCode.IO, "cannot look at " + cookie + " on " + uri + ": " + e.getMessage(), e);
            }
            return;
        }
        try { // an empty object in its place: the number is never given to another file
            s3.putObject(r -> r.bucket(bucket).key(key(n)).contentLength(0L), RequestBody.fromBytes(new byte[0]));
        } catch (SdkException e) {
            throw SiloException.of(
                    ErrorCode.IO, "cannot remove the bytes of " + cookie + " on " + uri + ": " + e.getMessage(), e);
        }
    }

    @Override
    public java.util.List<Long> fileNumbers() throws SiloException {
        java.util.List<Long> out = new java.util.ArrayList<>();
        try {
            var req =
                    ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).build();
            for (S3Object o : s3.listObjectsV2Paginator(req).contents()) {
                String name = o.key().substring(prefix.length());
                if (name.matches("[0-9]{7,18}")) {
                    out.add(Long.parseLong(name));
                }
            }
        } catch (SdkException e) {
            throw SiloException.of(ErrorCode.IO, "cannot list " + uri + ": " + e.getMessage(), e);
        }
        java.util.Collections.sort(out);
        return out;
    }

    @Override
    public void check() throws SiloException {
        try {
            s3.headBucket(r -> r.bucket(bucket));
        } catch (SdkException e) {
            throw SiloException.of(
                    ErrorCode.IO, "bucket " + bucket + " of " + uri + " cannot be reached: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        s3.close();
    }
}
