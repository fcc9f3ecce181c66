package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.ops.FileClerkOps;
import org.silo.archive.ops.FileMessages.BitFileInfo;
import org.silo.archive.ops.FileMessages.Mkdir;
import org.silo.archive.ops.FileMessages.Mv;
import org.silo.archive.ops.FileMessages.NewBitFile;
import org.silo.archive.ops.FileMessages.Rm;
import org.silo.archive.ops.FileMessages.WriteFile;
import org.silo.archive.ops.VolumeClerkOps;
import org.silo.archive.ops.VolumeMessages.AddVol;
import org.silo.archive.ops.VolumeMessages.AppendDone;
import org.silo.archive.ops.VolumeMessages.Backup;
import org.silo.archive.ops.VolumeMessages.DeleteVol;
import org.silo.archive.ops.VolumeMessages.EditVol;
import org.silo.archive.ops.VolumeMessages.ListVols;
import org.silo.archive.ops.VolumeMessages.NextWriteVolume;
import org.silo.archive.ops.VolumeMessages.SetState;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Authenticator;
import org.silo.wire.auth.Grant;
import org.silo.wire.auth.Grants;
import org.silo.wire.auth.Right;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.WireServer;
import org.silo.wire.server.WireServerConfig;

/** The clerks as services on the message layer: a real server on loopback, a real client. */
class ArchiveOverWireTest {
    @TempDir
    Path data;

    ArchiveService archive;
    WireServer server;
    SiloClient client;

    @BeforeEach
    void start() throws Exception {
        archive = ArchiveService.open(data, null);
        Dispatcher d = new Dispatcher();
        archive.register(d);
        server = WireServer.start(
                InetAddress.getLoopbackAddress(), 0, WireServerConfig.DEFAULTS, d, new SimpleMeterRegistry());
        client = SiloClient.connect(ClientOptions.to(server.address()));
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        if (archive != null) {
            archive.close();
        }
    }

    @Test
    void aMoverWritesAFileThroughTheClerks() throws Exception {
        VolumeInfo v = client.call(
                VolumeClerkOps.NEXT_WRITE_VOLUME, new NextWriteVolume("default", "none", "raw", 5, "mover1"));
        assertThat(v.writing()).isEqualTo("mover1");
        assertThat(v.fileFamily()).isEqualTo("raw");
        client.call(FileClerkOps.MKDIR, new Mkdir("/raw", false, "alice"));
        BitFileInfo b = client.call(
                FileClerkOps.NEW_BIT_FILE,
                new NewBitFile("mover1-req-1", v.label(), "0000_000000000_0000001", 5, "062c0215", "/raw/f", "alice"));
        // the same client request in a new session (past any reply cache): the same bfid
        try (SiloClient other = SiloClient.connect(ClientOptions.to(server.address()))) {
            BitFileInfo again = other.call(
                    FileClerkOps.NEW_BIT_FILE,
                    new NewBitFile(
                            "mover1-req-1", v.label(), "0000_000000000_0000001", 5, "062c0215", "/raw/f", "alice"));
            assertThat(again.bfid()).isEqualTo(b.bfid());
        }
        VolumeInfo after = client.call(VolumeClerkOps.APPEND_DONE, new AppendDone(v.label(), 5, "mover1"));
        assertThat(after.writing()).isNull();
        assertThat(client.call(FileClerkOps.BFID_INFO, b.bfid()).path()).isEqualTo("/raw/f");
        assertThat(client.call(FileClerkOps.STAT, "/raw/f").size()).isEqualTo(5);
        assertThat(client.call(FileClerkOps.LS, new org.silo.archive.ops.FileMessages.Ls("/raw"))
                        .entries())
                .hasSize(1);
        client.call(FileClerkOps.MV, new Mv("/raw/f", "/raw/g"));
        client.call(FileClerkOps.RM, new Rm("/raw/g", null));
        assertThat(client.call(FileClerkOps.BFID_INFO, b.bfid()).state()).isEqualTo("deleted");
    }

    @Test
    void adminOperationsAndStatus() throws Exception {
        VolumeInfo v = client.call(VolumeClerkOps.ADDVOL, new AddVol("TAPE1", "lib", null, "1G", null, "sg", null));
        assertThat(v.stateBy()).isEqualTo("anonymous from 127.0.0.1");
        assertThat(client.call(VolumeClerkOps.LIST_VOLS, new ListVols(null, null, null))
                        .volumes())
                .hasSize(3);
        assertThat(client.call(VolumeClerkOps.SET_SYSTEM_READONLY, new SetState("TAPE1", "label unreadable", "mover2"))
                        .state())
                .isEqualTo("readonly");
        assertThat(client.call(VolumeClerkOps.SET_HUNG, new SetState("TAPE1", "stuck in drive", null))
                        .state())
                .isEqualTo("hung");
        assertThat(client.call(VolumeClerkOps.EDIT_VOL, new EditVol("TAPE1", "ok", "freed", "bob", null, null, "2G"))
                        .capacity())
                .isEqualTo(2L << 30);
        BitFileInfo w = client.call(
                FileClerkOps.WRITE_FILE, new WriteFile("w-1", "/w", "over the wire".getBytes(), null, null, null, "a"));
        assertThat(new String(client.call(FileClerkOps.READ_FILE, "/w"))).isEqualTo("over the wire");
        assertThat(client.call(FileClerkOps.FSCK, null).problems()).isEmpty();
        assertThat(client.call(VolumeClerkOps.STATUS, null)).containsEntry("volumes", 3);
        assertThat(client.call(FileClerkOps.STATUS, null)).containsEntry("filesActive", 1);
        assertThat(client.call(VolumeClerkOps.BACKUP, new Backup("b1.db")).bytes())
                .isPositive();
        // seed 000's mk_backup, the file clerk's name for the same: a catalog a new server opens with the file in it
        var made = client.call(FileClerkOps.MK_BACKUP, new Backup("b2.db"));
        assertThat(made.bytes()).isPositive();
        assertThat(Path.of(made.dest())).isEqualTo(data.resolve("backups").resolve("b2.db"));
        Path restored = data.resolve("restored");
        org.silo.archive.catalog.CatalogBackup.restore(Path.of(made.dest()), restored, null);
        try (ArchiveService again = ArchiveService.open(restored, null)) {
            assertThat(again.files().info(w.bfid()).path()).isEqualTo("/w");
        }
        assertThatThrownBy(() -> client.call(FileClerkOps.MK_BACKUP, new Backup("")))
                .hasMessageContaining("needs a destination");
        assertThat(archive.status()).containsEntry("engine", "sqlite");
        assertThatThrownBy(() -> client.call(VolumeClerkOps.DELETE_VOL, new DeleteVol(w.volume(), false)))
                .isInstanceOfSatisfying(SiloException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BUSY);
                    assertThat(e.getMessage()).contains("live files");
                });
        client.call(VolumeClerkOps.DELETE_VOL, new DeleteVol("TAPE1", false));
    }

    @Test
    void grantsAreChecked() throws Exception {
        Authenticator readOnlyButExp = new Authenticator() {
            @Override
            public Grants anonymous(InetAddress peer) {
                return new Grants(List.of(
                        new Grant("archive", "/", Right.READ),
                        new Grant("archive", "/exp/", Right.WRITE),
                        new Grant("archive", "vol:", Right.READ)));
            }

            @Override
            public Optional<AccessList> list(String name) {
                return Optional.empty();
            }
        };
        Dispatcher d = new Dispatcher();
        archive.register(d);
        WireServer guarded = WireServer.start(
                InetAddress.getLoopbackAddress(),
                0,
                WireServerConfig.DEFAULTS,
                d,
                new SimpleMeterRegistry(),
                readOnlyButExp);
        try (SiloClient c = SiloClient.connect(ClientOptions.to(guarded.address()))) {
            client.call(FileClerkOps.MKDIR, new Mkdir("/exp", false, null));
            c.call(FileClerkOps.MKDIR, new Mkdir("/exp/mine", false, null));
            assertThat(c.call(FileClerkOps.LS, new org.silo.archive.ops.FileMessages.Ls("/"))
                            .entries())
                    .hasSize(1);
            assertThat(c.call(VolumeClerkOps.INQUIRE_VOL, "DEF001").label()).isEqualTo("DEF001");
            for (ThrowingCall call : List.<ThrowingCall>of(
                    () -> c.call(FileClerkOps.MKDIR, new Mkdir("/other", false, null)),
                    () -> c.call(FileClerkOps.MV, new Mv("/exp/mine", "/elsewhere")),
                    () -> c.call(VolumeClerkOps.ADDVOL, new AddVol("X1", "lib", null, "1G", null, null, null)),
                    () -> c.call(VolumeClerkOps.SET_HUNG, new SetState("DEF001", "x", null)),
                    () -> c.call(FileClerkOps.FSCK, null),
                    () -> c.call(VolumeClerkOps.BACKUP, new Backup("x.db")))) {
                assertThatThrownBy(call::run)
                        .isInstanceOfSatisfying(
                                SiloException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION));
            }
        } finally {
            guarded.close();
        }
        assertThat(archive.volumes().list(null)).hasSize(2);
    }

    interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void errorsTravelWithTheirCodeAndText() {
        assertThatThrownBy(() -> client.call(VolumeClerkOps.INQUIRE_VOL, "NOPE"))
                .isInstanceOfSatisfying(SiloException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                    assertThat(e.getMessage()).contains("no volume NOPE");
                });
        assertThatThrownBy(() -> client.call(FileClerkOps.MKDIR, new Mkdir("/a/../b", true, null)))
                .isInstanceOfSatisfying(
                        SiloException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID));
        assertThatThrownBy(() ->
                        client.call(VolumeClerkOps.ADDVOL, new AddVol("X", "lib", null, "lots", null, null, null)))
                .isInstanceOfSatisfying(
                        SiloException.class, e -> assertThat(e.getMessage()).contains("'lots' is not a size"));
    }
}
