package org.silo.control.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.control.fixture.FixtureControlData;
import org.silo.control.fixture.TextClient;
import org.silo.wire.auth.Grants;

/** Seed 004's control protocol, spoken as a person at ncat would, one session per message kind. */
class TextProtocolTest {
    @TempDir
    Path dir;

    private TextServer server;

    private TextServer start(Grants anonymous) throws Exception {
        FixtureControlData data = new FixtureControlData();
        data.anonymous(anonymous);
        server = TextServer.start(
                InetAddress.getLoopbackAddress(), 0, data, new WorkerRegistry(dir.resolve("workers.json")), "9.9");
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void identCapabilitiesAndWhatis() throws Exception {
        start(Grants.ALL);
        try (TextClient c = new TextClient(server.port())) {
            assertThat(c.read()).isEqualTo(TextMessage.of("IDENT", "silo", "9.9", "silo-text/1"));
            assertThat(c.ask("ID", "panel-1", "display")).isEqualTo(TextMessage.of("OK", "ID"));
            assertThat(c.ask("CAPAB").fields())
                    .containsExactly(
                            "server", "WHATIS", "SREPORT", "QREPORT", "QUEUE", "CLEAR", "ASKCAPAB", "NAME", "LOGIN");
            assertThat(c.ask("QREPORT"))
                    .isEqualTo(TextMessage.of("QLIST")
                            .line("12", "write", "active", "1", "/exp/big.dat", "67108864", "TAPE01", "mover1"));
            TextMessage info = c.ask("WHATIS", "image", "retro");
            assertThat(info.verb()).isEqualTo("INFO");
            assertThat(info.fields()).containsExactly("image", "retro");
            assertThat(info.lines())
                    .contains(
                            List.of("sizeBytes", "10737418240"),
                            List.of("holders", "nbd /10.0.0.5:53422 (write), blockhead /10.0.0.9:4444 (read)"));
            assertThat(c.ask("WHATIS", "image", "nope"))
                    .isEqualTo(TextMessage.of("ERROR", "404", "no image named nope"));
            assertThat(c.ask("WHATIS", "planet", "x").field(0)).isEqualTo("400");
            assertThat(c.ask("QUIT")).isEqualTo(TextMessage.of("OK", "QUIT"));
            assertThat(c.read()).as("closed after QUIT").isNull();
        }
    }

    @Test
    void queueTakesAHashACopyOrAVerifyAndClearEmptiesIt() throws Exception {
        start(Grants.ALL);
        try (TextClient c = new TextClient(server.port())) {
            c.read();
            assertThat(c.ask("ID", "panel-2", "command")).isEqualTo(TextMessage.of("OK", "ID"));
            assertThat(c.ask("QUEUE", FixtureControlData.RUN1_HASH))
                    .as("the seed's form")
                    .isEqualTo(TextMessage.of("QOK", "13"));
            assertThat(c.ask("QUEUE", "copy", "/data/run2.raw", "TAPE01")).isEqualTo(TextMessage.of("QOK", "14"));
            assertThat(c.ask("QUEUE", "verify", "TAPE01")).isEqualTo(TextMessage.of("QOK", "15"));
            assertThat(c.ask("QREPORT").lines())
                    .hasSize(4)
                    .contains(List.of("13", "copy", "queued", "0", "/data/run1.raw", "1048576", "TAPE01", ""))
                    .contains(List.of("15", "verify", "queued", "0", "vol:TAPE01", "1048576", "TAPE01", ""));
            assertThat(c.ask("QUEUE", "sha256:12"))
                    .isEqualTo(TextMessage.of(
                            "ERROR", "400", "a content hash is md5:HEX32 or sha256:HEX64, not 'sha256:12'"));
            assertThat(c.ask("QUEUE", "verify", "GHOST")).isEqualTo(TextMessage.of("ERROR", "404", "no volume GHOST"));
            assertThat(c.ask("QUEUE", "copy", "/data/ghost.raw"))
                    .isEqualTo(TextMessage.of("ERROR", "404", "no such file /data/ghost.raw"));
            assertThat(c.ask("QUEUE", "burn"))
                    .isEqualTo(TextMessage.of(
                            "ERROR", "400", "QUEUE HASH | QUEUE copy FILE [VOLUME] | QUEUE verify VOLUME"));
            assertThat(c.ask("CLEAR")).isEqualTo(TextMessage.of("OK", "CLEAR", "3"));
            assertThat(c.ask("QREPORT").lines()).hasSize(1);
        }
    }

    @Test
    void sreportWithoutReadOnTheArchiveListsTheTextWorkersOnly() throws Exception {
        start(Grants.NONE);
        try (TextClient c = new TextClient(server.port())) {
            c.read();
            TextMessage report = c.ask("SREPORT");
            assertThat(report.verb()).isEqualTo("SLIST");
            assertThat(report.lines())
                    .as("the archive's mover m-1 is not shown to who may not read the archive")
                    .isEmpty();
        }
    }

    @Test
    void queueAndClearNeedTheirRights() throws Exception {
        start(Grants.READ);
        try (TextClient c = new TextClient(server.port())) {
            c.read();
            assertThat(c.ask("QUEUE", "copy", "/exp/run1.dat").field(0)).isEqualTo("401");
            assertThat(c.ask("CLEAR").field(1)).startsWith("refused: needs admin on archive:");
            assertThat(c.ask("QUEUE", "verify", "TAPE01"))
                    .as("a whole volume's reading is not a reader's to queue (\"Rights\")")
                    .isEqualTo(TextMessage.of(
                            "ERROR", "401", "refused: needs write on archive:vol:TAPE01; anonymous has *::read"));
        }
    }

    @Test
    void displaysHearOfTheArchivesMoversAsTheyChange() throws Exception {
        FixtureControlData data = new FixtureControlData();
        data.anonymous(Grants.ALL);
        server = TextServer.start(
                InetAddress.getLoopbackAddress(),
                0,
                data,
                new WorkerRegistry(dir.resolve("workers.json")),
                "9.9",
                java.time.Duration.ofMillis(100));
        try (TextClient display = new TextClient(server.port())) {
            display.read();
            assertThat(display.ask("ID", "panel-3", "display")).isEqualTo(TextMessage.of("OK", "ID"));
            String mover = FixtureControlData.MOVER_ID;
            assertThat(display.read())
                    .isEqualTo(TextMessage.of("STATUS", mover, "mover1", "active", "25", "job 12 on TAPE01, 2.5 MB/s"));
            data.moverDone(FixtureControlData.RUNNING_BYTES * 3 / 4);
            assertThat(display.read())
                    .as("pushed again only when it changed")
                    .isEqualTo(TextMessage.of("STATUS", mover, "mover1", "active", "75", "job 12 on TAPE01, 2.5 MB/s"));
        }
    }

    @Test
    void mistakesGetAnErrorAndTheConnectionGoesOn() throws Exception {
        start(Grants.ALL);
        try (TextClient c = new TextClient(server.port())) {
            c.read();
            assertThat(c.ask("NONSENSE", "x"))
                    .isEqualTo(TextMessage.of("ERROR", "400", "unknown verb 'NONSENSE'; HELP lists the verbs"));
            assertThat(c.ask("ID", "", "display").field(0)).isEqualTo("400");
            assertThat(c.ask("ID", "x", "robot").field(1)).contains("display, command or worker");
            assertThat(c.ask("STATUS", "busy", "10", "x").field(1)).contains("only a worker");
            c.send("capab\n\n"); // lower case, bare LF: what a plain ncat sends
            TextMessage cap = c.read();
            assertThat(cap.verb()).as("%s", cap).isEqualTo("CAP");
            c.send("\r\n\r\n\r\n"); // empty lines are no messages
            assertThat(c.ask("CAPAB").verb()).isEqualTo("CAP");
        }
    }

    /** A person at ncat types spaces; the answer says tabs, and echoes the line as typed. */
    @Test
    void aLineTypedWithSpacesIsToldThatFieldsTakeTabs() throws Exception {
        start(Grants.ALL);
        try (TextClient c = new TextClient(server.port())) {
            c.read();
            c.send("WHATIS file /exp/x\n\n");
            assertThat(c.read())
                    .isEqualTo(
                            TextMessage.of(
                                    "ERROR",
                                    "400",
                                    "fields are separated by tabs, not spaces: "
                                            + "'WHATIS file /exp/x' is read as one verb; HELP lists the verbs and their fields"));
            c.send("whatis image retro\n\n");
            assertThat(c.read().field(1)).as("only the verb is upper-cased").contains("'WHATIS image retro'");
            c.send("whatis\timage\tretro\n\n");
            assertThat(c.read())
                    .as("with tabs, a lower-case verb is fine")
                    .isEqualTo(c.ask("WHATIS", "image", "retro"));
        }
    }

    /** HELP lists every verb the session answers, one line each, from the table the session dispatches on. */
    @Test
    void helpListsTheVerbsAndEachOneIsAnswered() throws Exception {
        start(Grants.ALL);
        try (TextClient c = new TextClient(server.port())) {
            c.read();
            TextMessage help = c.ask("HELP");
            assertThat(help.verb()).isEqualTo("VERBS");
            assertThat(help.fields())
                    .containsExactly("fields are separated by tabs; a message ends with an empty line");
            assertThat(help.lines())
                    .contains(List.of(
                            "WHATIS",
                            "volume|file|image|worker NAME",
                            "describe a volume, an archive file, an image or what a worker holds"));
            List<String> verbs = help.lines().stream().map(l -> l.get(0)).toList();
            assertThat(verbs)
                    .containsExactlyElementsOf(TextConstants.CLIENT_VERBS.stream()
                            .map(TextConstants.Verb::name)
                            .toList())
                    .contains("ID", "CAPAB", "QUEUE", "HELP", "QUIT", "STATUS");
            for (String verb : verbs) {
                if (verb.equals("QUIT")) {
                    continue;
                }
                TextMessage answer = c.ask(verb);
                assertThat(answer.verb().equals("ERROR") ? answer.field(0) + " " + answer.field(1) : answer.verb())
                        .as(verb)
                        .doesNotStartWith("500")
                        .doesNotContain("unknown verb");
            }
            assertThat(c.ask("QUIT")).isEqualTo(TextMessage.of("OK", "QUIT"));
        }
    }

    /**
     * A message with a NUL byte or bytes that are not UTF-8 gets ERROR 400 (docs/control-protocol.md,
     * "Messages") as soon as the bad byte is there, even before its terminator; the rest of that message is dropped
     * through its terminator and the connection goes on.
     */
    @Test
    void nulAndInvalidUtf8GetError400AndTheConnectionGoesOn() throws Exception {
        start(Grants.ALL);
        try (TextClient c = new TextClient(server.port())) {
            c.timeout(java.time.Duration.ofMinutes(2)); // a generous ceiling: what is asserted is that it comes
            c.read();
            c.send("CAPAB\0\r\n\r\n");
            assertThat(c.read())
                    .isEqualTo(TextMessage.of(
                            "ERROR", "400", "the message holds a NUL byte (at byte 5): send UTF-8 text without NUL"));
            assertThat(c.ask("CAPAB").verb()).isEqualTo("CAP");

            c.send(bytes("WHATIS\timage\t", 0xc3, 0x28, '\r', '\n', '\r', '\n')); // 0xC3 needs a continuation byte
            assertThat(c.read())
                    .isEqualTo(TextMessage.of(
                            "ERROR", "400", "the message is not UTF-8 (a bad sequence at byte 13): send UTF-8 text"));
            c.send(bytes("WHATIS\timage\t", 0xed, 0xa0, 0x80, '\n', '\n')); // an encoded surrogate
            assertThat(c.read().fields()).startsWith("400");
            c.send(bytes("WHATIS\timage\t", 0xc0, 0xaf, '\n', '\n')); // an overlong '/'
            assertThat(c.read().fields()).startsWith("400");
            assertThat(c.ask("WHATIS", "image", "retro").verb())
                    .as("valid UTF-8 still works")
                    .isEqualTo("INFO");

            // a C-style client: text ended by a NUL, no empty line. Answered at once, before the message ends.
            c.send("LOGIN\top\0");
            assertThat(c.read().fields()).startsWith("400");
            c.send(bytes("pw", 0xff, '\r', '\n', '\r', '\n')); // the rest of that message: dropped, not answered again
            assertThat(c.ask("CAPAB").verb())
                    .as("the next message is the next answer")
                    .isEqualTo("CAP");
        }
    }

    private static byte[] bytes(String ascii, int... more) {
        byte[] head = ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] all = java.util.Arrays.copyOf(head, head.length + more.length);
        for (int i = 0; i < more.length; i++) {
            all[head.length + i] = (byte) more[i];
        }
        return all;
    }

    @Test
    void aMessageWithoutEndIsCutAt64KiBAndTheServerGoesOn() throws Exception {
        start(Grants.ALL);
        try (TextClient c = new TextClient(server.port())) {
            c.read();
            c.send("WHATIS\t" + "x".repeat(TextConstants.MAX_MESSAGE + 10));
            assertThat(c.read()).isEqualTo(TextMessage.of("ERROR", "413", "message longer than 65536 bytes"));
            assertThat(c.read()).as("then closed cleanly").isNull();
        }
        try (TextClient c = new TextClient(server.port())) {
            c.send("CAP"); // no terminator, then hang up
        }
        try (TextClient c = new TextClient(server.port())) {
            c.read();
            assertThat(c.ask("CAPAB").verb()).isEqualTo("CAP");
        }
    }

    @Test
    void aWorkerReportsAndDisplaysSeeItLive() throws Exception {
        start(Grants.ALL);
        try (TextClient display = new TextClient(server.port());
                TextClient worker = new TextClient(server.port())) {
            display.read();
            display.ask("ID", "panel-1", "display");
            worker.read();
            assertThat(worker.ask("ID", "burner-7", "worker", "V2.1"))
                    .as("seed 004's ID\\tV[version]")
                    .isEqualTo(TextMessage.of("OK", "ID"));
            assertThat(worker.read())
                    .as("the server asks a worker for its capabilities")
                    .isEqualTo(TextMessage.of("CAPAB"));
            assertThat(worker.ask("CAP", "dir", "lto8")).isEqualTo(TextMessage.of("OK", "CAP"));
            assertThat(worker.ask("STATUS", "active", "50%", "copying /a")).isEqualTo(TextMessage.of("OK", "STATUS"));
            assertThat(display.read())
                    .isEqualTo(TextMessage.of("STATUS", "burner-7", "", "active", "50", "copying /a"));

            assertThat(display.ask("NAME", "burner-7", "Box X")).isEqualTo(TextMessage.of("OK", "NAME"));
            assertThat(display.read())
                    .as("the rename is pushed too")
                    .isEqualTo(TextMessage.of("STATUS", "burner-7", "Box X", "active", "50", "copying /a"));
            assertThat(display.ask("SREPORT").lines())
                    .containsExactly(
                            List.of(
                                    "burner-7",
                                    "Box X",
                                    "active",
                                    "50",
                                    "copying /a",
                                    "connected",
                                    "2.1",
                                    "0",
                                    "0",
                                    "0",
                                    "0"),
                            List.of(
                                    FixtureControlData.MOVER_ID,
                                    "mover1",
                                    "active",
                                    "25",
                                    "job 12 on TAPE01, 2.5 MB/s",
                                    "connected",
                                    "",
                                    "",
                                    "",
                                    "0",
                                    "2500000"));
            assertThat(display.ask("ASKCAPAB").lines()).containsExactly(List.of("burner-7", "Box X", "dir", "lto8"));
            assertThat(worker.ask("STATUS", "active", "150", "x").field(1)).contains("0..100");
        }
        // the friendly name outlives the connection and the server
        assertThat(new WorkerRegistry(dir.resolve("workers.json")).list()).isEmpty();
        WorkerRegistry again = new WorkerRegistry(dir.resolve("workers.json"));
        again.connected("burner-7");
        assertThat(again.list().get(0).name()).isEqualTo("Box X");
    }

    @Test
    void rightsAreCheckedAndLoginGrantsMore() throws Exception {
        start(Grants.READ);
        try (TextClient c = new TextClient(server.port())) {
            c.read();
            // refused while anonymous: 401, a login is needed (as HTTP's 401)
            TextMessage refused = c.ask("NAME", "burner-7", "Box Y");
            assertThat(refused.fields())
                    .containsExactly("401", "refused: needs admin on control:burner-7; anonymous has *::read");
            assertThat(c.ask("ID", "w", "worker").field(0)).isEqualTo("401");
            assertThat(c.ask("LOGIN", "root", "wrong").field(0)).isEqualTo("401");
            // logged in, and still short of the right: 403
            assertThat(c.ask("LOGIN", "reader", FixtureControlData.READER_PASSWORD))
                    .isEqualTo(TextMessage.of("OK", "LOGIN", "*::read"));
            assertThat(c.ask("NAME", "burner-7", "Box Y").fields())
                    .containsExactly("403", "refused: needs admin on control:burner-7; reader has *::read");
            assertThat(c.ask("LOGIN", "root", FixtureControlData.ROOT_PASSWORD))
                    .isEqualTo(TextMessage.of("OK", "LOGIN", "*::admin"));
            assertThat(c.ask("NAME", "burner-7", "Box Y")).isEqualTo(TextMessage.of("OK", "NAME"));
        }
    }
}
