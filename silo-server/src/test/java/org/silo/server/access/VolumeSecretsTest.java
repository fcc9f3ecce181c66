package org.silo.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.ArchiveService;
import org.silo.archive.catalog.Sql;
import org.silo.archive.ops.VolumeClerkOps;
import org.silo.archive.ops.VolumeMessages.ListVols;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.server.SiloServer;
import org.silo.server.TestSilo;
import org.silo.wire.auth.Scram;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;

/**
 * An S3 volume's backend string carries its secret key: readers (anonymous sessions on a network get
 * read) see {@code secret=***}, those who may write to the volume (its movers) see it whole.
 */
class VolumeSecretsTest {
    private static final String BACKEND =
            "s3://bucket/vol?endpoint=http://127.0.0.1:9&access=AKIA&secret=T0PS3CRET&x=1";

    @TempDir
    Path dir;

    @Test
    void onlyThoseWhoMayWriteAVolumeSeeItsSecret() throws Exception {
        AccessStore.open(dir)
                .add(
                        "ops",
                        false,
                        Scram.Verifier.of("0ps".toCharArray(), Scram.MIN_ITERATIONS),
                        List.of("archive:vol:DEF001:write"));
        try (SiloServer s = SiloServer.start(TestSilo.config(dir, "anonymous", "read"))) {
            s.service("archive", ArchiveService.class)
                    .catalog()
                    .tx(c -> Sql.update(c, "UPDATE volume SET backend = ? WHERE label = 'DEF001'", BACKEND));
            try (SiloClient anon = client(s)) {
                VolumeInfo seen = anon.call(VolumeClerkOps.INQUIRE_VOL, "DEF001");
                assertThat(seen.backend())
                        .isEqualTo("s3://bucket/vol?endpoint=http://127.0.0.1:9&access=AKIA&secret=***&x=1");
                assertThat(anon.call(VolumeClerkOps.LIST_VOLS, new ListVols(null, null, null))
                                .volumes())
                        .extracting(VolumeInfo::backend)
                        .noneMatch(b -> b.contains("T0PS3CRET"));
            }
            try (SiloClient ops = client(s)) {
                ops.login("ops", "0ps".toCharArray());
                assertThat(ops.call(VolumeClerkOps.INQUIRE_VOL, "DEF001").backend())
                        .as("a writer of the volume")
                        .isEqualTo(BACKEND);
            }
        }
    }

    private static SiloClient client(SiloServer s) throws Exception {
        return SiloClient.connect(ClientOptions.to(new InetSocketAddress("127.0.0.1", s.wirePort())));
    }
}
