package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.lm.LibraryManager;
import org.silo.archive.lm.LibrarySettings;
import org.silo.archive.ops.FileMessages.BitFileInfo;
import org.silo.archive.ops.FileMessages.WriteFile;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.MoverHello;
import org.silo.archive.ops.LibraryMessages.MoverInfo;
import org.silo.archive.ops.LibraryMessages.ReadFromHsm;
import org.silo.archive.ops.LibraryMessages.TransferDone;
import org.silo.archive.ops.LibraryMessages.Unbind;
import org.silo.archive.ops.LibraryMessages.Work;
import org.silo.archive.ops.LibraryMessages.WriteToHsm;
import org.silo.archive.ops.VolumeMessages.AddVol;
import org.silo.archive.ops.VolumeMessages.FamilyWidth;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * The library manager's queue, on SQLite ({@link SqliteQueueTest}) and PostgreSQL
 * ({@link PostgresQueueTest}): priorities, aging, fair share, grouping by volume, merged reads, restart,
 * mover timeouts. The movers here are the conversation alone (no bytes move).
 */
abstract class QueueContract {
    @TempDir
    Path data;

    ArchiveService archive;
    LibraryManager lm;
    String setting;

    /**
     * The movers here speak only when a test makes them, so any mover timeout a test can outlast on a busy
     * machine would reap them behind its back: an hour. The one test of the timeout shortens it itself.
     */
    static final LibrarySettings FAST = new LibrarySettings(3_600_000, 1, 1_000_001, 3_600_000, 50);

    abstract String freshCatalog() throws Exception;

    void dropCatalog() throws Exception {}

    @BeforeEach
    void open() throws Exception {
        setting = freshCatalog();
        reopen(FAST);
        archive.namespace().mkdir("/q", false, "alice");
        // library default has a mover from the start: a library no mover has ever served refuses transfers
        assertThat(lm.idleMover(mover("m1", null)).action()).isEqualTo(LibraryMessages.NOWORK);
    }

    void reopen(LibrarySettings s) throws SiloException {
        if (archive != null) {
            archive.close();
        }
        archive = ArchiveService.open(data, setting, s);
        lm = archive.library();
    }

    @AfterEach
    void close() throws Exception {
        if (archive != null) {
            archive.close();
        }
        dropCatalog();
    }

    static MoverHello mover(String name, String volume) {
        return new MoverHello(
                name + "-id-0001",
                name,
                "default",
                List.of("disk"),
                "host",
                volume == null ? "idle" : "active",
                volume);
    }

    JobInfo write(String path, int priority, String sg, String ff) throws SiloException {
        return lm.submitWrite(
                WriteToHsm.of(path, 10)
                        .storageGroup(sg)
                        .fileFamily(ff)
                        .priority(priority)
                        .callback("127.0.0.1:9", "t")
                        .owner("alice")
                        .build(),
                "alice");
    }

    JobInfo read(String path, int priority) throws SiloException {
        return lm.submitRead(new ReadFromHsm(path, priority, "127.0.0.1:9", "t" + priority, List.of()), "alice");
    }

    BitFileInfo stored(String path, String family) throws SiloException {
        return archive.files()
                .write(
                        new WriteFile(null, path, path.getBytes(StandardCharsets.UTF_8), null, null, family, "alice"),
                        "server");
    }

    /** A mover's end of a read job: each file sent (files_done), then the job (transfer_done). */
    void done(String mover, Work w) throws SiloException {
        List<LibraryMessages.FileDone> sent = w.job().files().stream()
                .map(f -> new LibraryMessages.FileDone(f.index(), true, f.cookie(), f.size(), f.adler32(), null, null))
                .toList();
        lm.filesDone(new LibraryMessages.FilesDone(mover + "-id-0001", w.job().id(), null, 0, sent));
        lm.transferDone(TransferDone.of(mover + "-id-0001", w.job().id())
                .stored(w.job().size())
                .failedTargets(List.of())
                .build());
    }

    @Test
    void theHighestPriorityGoesFirstAndAnAdministratorCanOverrideIt() throws Exception {
        JobInfo low = write("/q/low", 1, null, null);
        write("/q/high", 5, null, null);
        write("/q/mid", 3, null, null);
        Work w = lm.idleMover(mover("m1", null));
        assertThat(w.action()).isEqualTo(LibraryMessages.BIND_VOLUME);
        assertThat(w.job().path()).isEqualTo("/q/high");
        assertThat(w.job().targets()).hasSize(1);
        lm.unilateralUnbind(new Unbind("m1-id-0001", w.volume(), "test"));
        assertThat(lm.info(w.job().id()).state()).isEqualTo("queued");
        assertThat(lm.setPriority(low.id(), 100).effectivePriority()).isEqualTo(100);
        assertThat(lm.idleMover(mover("m1", null)).job().path()).isEqualTo("/q/low");
    }

    @Test
    void waitingRequestsGainPriorityWithAge() throws Exception {
        reopen(FAST.withAgeTime(50));
        JobInfo old = write("/q/old", 0, null, null);
        Thread.sleep(260);
        write("/q/new", 3, null, null);
        assertThat(lm.info(old.id()).effectivePriority()).isGreaterThanOrEqualTo(5);
        assertThat(lm.idleMover(mover("m1", null)).job().path()).isEqualTo("/q/old");
    }

    @Test
    void storageGroupsShareTheMoversFairly() throws Exception {
        write("/q/a1", 9, "groupa", "fa");
        write("/q/a2", 8, "groupa", "fa");
        write("/q/b1", 1, "groupb", "fb");
        archive.volumes().setFamilyWidth("fa", 2);
        Work first = lm.idleMover(mover("m1", null));
        Work second = lm.idleMover(mover("m2", null));
        assertThat(first.job().path()).isEqualTo("/q/a1");
        // groupa already has a transfer running, so groupb goes next although /q/a2 has the higher priority
        assertThat(second.job().path()).isEqualTo("/q/b1");
    }

    @Test
    void aBoundVolumeServesAllItsReadsBeforeItIsReleased() throws Exception {
        stored("/q/x1", "raw");
        stored("/q/x2", "raw");
        stored("/q/y1", "other");
        read("/q/x1", 10);
        read("/q/y1", 5);
        read("/q/x2", 1);
        Work w = lm.idleMover(mover("m1", null));
        assertThat(w.job().path()).isEqualTo("/q/x1");
        done("m1", w);
        Work next = lm.haveBoundVolume(mover("m1", w.volume()));
        assertThat(next.action()).isEqualTo(LibraryMessages.READ_FROM_HSM);
        assertThat(next.job().path()).isEqualTo("/q/x2");
        done("m1", next);
        assertThat(lm.haveBoundVolume(mover("m1", w.volume())).action()).isEqualTo(LibraryMessages.UNBIND_VOLUME);
        Work other = lm.idleMover(mover("m1", null));
        assertThat(other.job().path()).isEqualTo("/q/y1");
        assertThat(other.volume()).isNotEqualTo(w.volume());
        MoverInfo m = lm.mover("m1");
        assertThat(m.files()).isEqualTo(2);
        assertThat(m.mounts()).isEqualTo(2);
    }

    @Test
    void duplicateReadsOfOneFileAreMerged() throws Exception {
        stored("/q/d", "raw");
        JobInfo a = read("/q/d", 1);
        JobInfo b = read("/q/d", 2);
        assertThat(b.mergedInto()).isEqualTo(a.id());
        Work w = lm.idleMover(mover("m1", null));
        assertThat(w.job().targets())
                .extracting(LibraryMessages.Target::request)
                .containsExactly(a.id(), b.id());
        done("m1", w);
        assertThat(lm.info(a.id()).state()).isEqualTo("done");
        assertThat(lm.info(b.id()).state()).isEqualTo("done");
    }

    @Test
    void theQueueSurvivesARestartAndASilentMoverLosesItsRequests() throws Exception {
        JobInfo one = write("/q/one", 1, null, null);
        JobInfo two = write("/q/two", 2, null, null);
        Work w = lm.idleMover(mover("m1", null));
        assertThat(w.job().id()).isEqualTo(two.id());
        reopen(FAST);
        assertThat(lm.info(one.id()).state()).isEqualTo("queued");
        assertThat(lm.info(two.id()).state()).isEqualTo("active");
        // m1 says nothing more: under a timeout it soon outlives, the reaper takes its request back
        reopen(FAST.withMoverTimeout(1));
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofMinutes(2))
                .until(() -> lm.mover("m1").state().equals("offline"));
        reopen(FAST); // and no more reaping behind the test's back from here on
        JobInfo back = lm.info(two.id());
        assertThat(back.state()).isEqualTo("queued");
        assertThat(lm.mover("m1").state()).isEqualTo("offline");
        assertThat(archive.volumes().inquire(w.volume()).writing()).isNull();
        Work again = lm.idleMover(mover("m2", null));
        assertThat(again.job().id()).isEqualTo(two.id());
        assertThat(lm.info(two.id()).attempts()).isEqualTo(2);
        // the timed-out mover is avoided for the request it lost
        lm.unilateralUnbind(new Unbind("m2-id-0001", again.volume(), "test"));
        Work forM1 = lm.idleMover(mover("m1", null));
        assertThat(forM1.job().id()).isEqualTo(one.id());
    }

    @Test
    void aWriteThatWorkedBecomesABitFileAndAFailureIsNotedAgainstTheVolume() throws Exception {
        archive.volumes().setFamilyWidth("default", 1);
        JobInfo j = write("/q/w", 0, null, null);
        Work w = lm.idleMover(mover("m1", null));
        assertThat(w.job().files())
                .singleElement()
                .satisfies(f -> assertThat(f.path()).isEqualTo("/q/w"));
        // the mover's group commit records the file, then the job ends
        assertThat(lm.filesDone(new LibraryMessages.FilesDone(
                        "m1-id-0001",
                        j.id(),
                        null,
                        0,
                        List.of(new LibraryMessages.FileDone(
                                0, true, "0000_000000000_0000001", 10, "0b3c0200", null, null)))))
                .singleElement()
                .satisfies(r -> assertThat(r.error()).isNull());
        lm.transferDone(TransferDone.of("m1-id-0001", j.id()).stored(10).build());
        JobInfo after = lm.info(j.id());
        assertThat(after.state()).isEqualTo("done");
        assertThat(archive.namespace().stat("/q/w").bfid()).isEqualTo(after.bfid());
        assertThat(archive.volumes().inquire(w.volume()).writing()).isNull();
        JobInfo k = write("/q/k", 0, null, null);
        Work w2 = lm.idleMover(mover("m1", null));
        lm.transferDone(TransferDone.of("m1-id-0001", k.id())
                .failed("disk on fire")
                .volumeFault(true)
                .build());
        assertThat(lm.info(k.id()).state()).isEqualTo("failed");
        assertThat(archive.volumes().inquire(w2.volume()).writeErrors()).isEqualTo(1);
        assertThat(lm.mover("m1").errors()).isEqualTo(1);
    }

    /**
     * Issue 13: a user with many requests queued on one volume does not keep another user's one request
     * waiting. The mover bound to the first user's volume unbinds when the other user waits with nothing
     * running, and the next idle mover takes the other user's request, though it is younger and of lower
     * priority.
     */
    @Test
    void aUserWithManyRequestsDoesNotStarveAnotherUsersSingleOne() throws Exception {
        stored("/q/bobs", "other");
        for (int i = 0; i < 5; i++) {
            lm.submitWrite(
                    WriteToHsm.of("/q/alice" + i, 10)
                            .priority(9)
                            .callback("127.0.0.1:9", "a" + i)
                            .owner("alice")
                            .build(),
                    "alice");
        }
        JobInfo bobs = lm.submitRead(new ReadFromHsm("/q/bobs", 0, "127.0.0.1:9", "b", List.of()), "bob");
        Work first = lm.idleMover(mover("m1", null));
        assertThat(first.job().path()).as("alice's requests came first").startsWith("/q/alice");
        writeDone("m1", first);
        // alice has four more writes that fit the bound volume, but bob waits with nothing running
        assertThat(lm.haveBoundVolume(mover("m1", first.volume())).action()).isEqualTo(LibraryMessages.UNBIND_VOLUME);
        Work next = lm.idleMover(mover("m1", null));
        assertThat(next.job().id()).isEqualTo(bobs.id());
        // with no one else waiting, a bound volume goes on serving the same user
        done("m1", next);
        assertThat(lm.haveBoundVolume(mover("m1", next.volume())).action()).isEqualTo(LibraryMessages.UNBIND_VOLUME);
        Work again = lm.idleMover(mover("m1", null));
        writeDone("m1", again);
        assertThat(lm.haveBoundVolume(mover("m1", again.volume())).action()).isEqualTo(LibraryMessages.WRITE_TO_HSM);
    }

    /** A mover's end of a write job: its one file stored and recorded (files_done), then the job. */
    void writeDone(String mover, Work w) throws SiloException {
        LibraryMessages.FileRef f = w.job().files().get(0);
        lm.filesDone(new LibraryMessages.FilesDone(
                mover + "-id-0001",
                w.job().id(),
                null,
                0,
                List.of(new LibraryMessages.FileDone(
                        f.index(),
                        true,
                        "0000_000000000_" + String.format("%07d", 100 + w.job().id()),
                        10,
                        "0b3c0200",
                        null,
                        null))));
        lm.transferDone(
                TransferDone.of(mover + "-id-0001", w.job().id()).stored(10).build());
    }

    @Test
    void killingAJobAndABinding() throws Exception {
        JobInfo a = write("/q/a", 0, null, null);
        JobInfo b = write("/q/b", 0, null, null);
        assertThat(lm.kill(a.id()).state()).isEqualTo("cancelled");
        Work w = lm.idleMover(mover("m1", null));
        assertThat(w.job().id()).isEqualTo(b.id());
        assertThat(lm.progress(new LibraryMessages.Progress("m1-id-0001", "active", b.id(), 5, 10, 1.0))
                        .cancel())
                .isFalse();
        lm.killBinding("m1");
        assertThat(lm.info(b.id()).state()).isEqualTo("queued");
        assertThat(lm.progress(new LibraryMessages.Progress("m1-id-0001", "active", b.id(), 5, 10, 1.0))
                        .cancel())
                .isTrue();
        assertThat(lm.haveBoundVolume(mover("m1", w.volume())).action()).isEqualTo(LibraryMessages.UNBIND_VOLUME);
        try {
            lm.transferDone(TransferDone.of("m1-id-0001", b.id())
                    .stored(10)
                    .cookie("0000_000000000_0000001")
                    .adler32("0b3c0200")
                    .build());
            throw new AssertionError("a job given away must not be recorded");
        } catch (SiloException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID);
        }
        assertThat(archive.files().status().get("filesActive")).isEqualTo(0L);
    }

    @Test
    void aMoverThatComesBackIdleGivesBackWhatItWasRunning() throws Exception {
        JobInfo j = write("/q/r", 0, null, null);
        Work w = lm.idleMover(mover("m1", null));
        assertThat(w.job().id()).isEqualTo(j.id());
        // m1 restarts (same persistent id) and asks for work again: its old job is queued again, and it gets it
        Work again = lm.idleMover(mover("m1", null));
        assertThat(again.job().id()).isEqualTo(j.id());
        assertThat(lm.info(j.id()).attempts()).isEqualTo(2);
        assertThat(lm.progress(new LibraryMessages.Progress("m1-id-0001", "active", j.id(), 1, 10, 1.0))
                        .cancel())
                .isFalse();
    }

    @Test
    void aTransferForALibraryNoMoverHasEverServedIsRefusedAtOnce() throws Exception {
        archive.volumes().addvol(new AddVol("TINY01", "tiny", "disk", "1G", null, null, null), "test");
        BitFileInfo there = archive.files()
                .write(new WriteFile(null, "/q/there", new byte[10], "tiny", null, null, "alice"), "server");
        assertThat(there.volume()).isEqualTo("TINY01");
        for (ThrowingCallable submit : List.<ThrowingCallable>of(
                () -> lm.submitWrite(
                        WriteToHsm.of("/q/w", 10)
                                .library("tiny")
                                .callback("127.0.0.1:9", "t")
                                .owner("alice")
                                .build(),
                        "alice"),
                () -> read("/q/there", 0))) {
            assertThatThrownBy(submit).isInstanceOfSatisfying(SiloException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                assertThat(e.getMessage()).startsWith("no mover has ever served library tiny: start one for it");
            });
        }
        assertThat(lm.list(true, 100)).as("nothing queued").isEmpty();
    }

    @Test
    void aRequestWaitingForAnOfflineMoverSaysSoAndTheMoverTakesItWhenItComesBack() throws Exception {
        archive.volumes().addvol(new AddVol("TINY01", "tiny", "disk", "1G", null, null, null), "test");
        MoverHello t1 = new MoverHello("t1-id-0001", "t1", "tiny", List.of("disk"), "host", "idle", null);
        assertThat(lm.idleMover(t1).action()).isEqualTo(LibraryMessages.NOWORK);
        JobInfo j = lm.submitWrite(
                WriteToHsm.of("/q/w", 10)
                        .library("tiny")
                        .callback("127.0.0.1:9", "t")
                        .owner("alice")
                        .build(),
                "alice");
        assertThat(j.state()).isEqualTo("queued");
        assertThat(j.error()).as("its mover is connected").isNull();
        // t1 says nothing more: under a timeout it soon outlives it is offline, and the request says what it waits for
        reopen(FAST.withMoverTimeout(1));
        await().atMost(Duration.ofMinutes(2)).until(() -> lm.mover("t1").state().equals("offline"));
        reopen(FAST); // no more reaping behind the test's back
        String why = "queued: no mover of library tiny is connected";
        assertThat(lm.info(j.id()).error()).isEqualTo(why);
        assertThat(lm.list(false, 100))
                .filteredOn(x -> x.id() == j.id())
                .singleElement()
                .satisfies(x -> assertThat(x.error()).isEqualTo(why));
        Work w = lm.idleMover(t1);
        assertThat(w.action()).isEqualTo(LibraryMessages.BIND_VOLUME);
        assertThat(w.job().id()).isEqualTo(j.id());
        assertThat(lm.info(j.id()).error()).isNull();
    }

    @Test
    void moversKeepTheirNamesAndStatistics() throws Exception {
        lm.idleMover(mover("m1", null));
        MoverInfo m = lm.rename("m1-id-0001", "tape-drive-3");
        assertThat(m.name()).isEqualTo("tape-drive-3");
        reopen(FAST);
        assertThat(lm.movers()).extracting(MoverInfo::name).containsExactly("tape-drive-3");
        assertThat(new FamilyWidth("x", 1).width()).isEqualTo(1);
    }
}
