package org.silo.control.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.silo.control.fixture.FixtureControlData;

/** Raw bytes on a socket: what no HTTP client library would send. The server answers or closes, and keeps serving. */
@Timeout(300)
class ConsoleBadInputTest {
    private ConsoleServer console;

    @BeforeEach
    void start() throws Exception {
        console = ConsoleServer.builder(new FixtureControlData())
                .port(0)
                .maxBody(1024)
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        console.close();
    }

    /** Sends the bytes, half-closes, and reads everything the server answers until it closes. */
    private String exchange(String request) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), console.port())) {
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            in.transferTo(answer);
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private void stillServing() throws IOException {
        assertThat(exchange("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 200")
                .endsWith("ok");
    }

    @Test
    void garbageIsABadRequest() throws IOException {
        String answer = exchange("\u0001\u0002 NOT HTTP AT ALL\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 400").contains("\"code\":\"INVALID\"");
        stillServing();
    }

    @Test
    void anOverlongHeaderIsABadRequest() throws IOException {
        String answer =
                exchange("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Long: " + "a".repeat(20_000) + "\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 400");
        stillServing();
    }

    @Test
    void aBodyOverTheLimitIsRefusedBeforeItIsRead() throws IOException {
        String answer =
                exchange("POST /api/login HTTP/1.1\r\nHost: localhost\r\nX-Silo: 1\r\nContent-Length: 100000\r\n\r\n{");
        assertThat(answer).startsWith("HTTP/1.1 413");
        stillServing();
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws IOException {
        String answer = exchange("GET /api/whatis?kind=volume&name=TAPE01 HTTP/1.1\r\nHost: localhost\r\n\r\n"
                + "GET /nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n"
                + "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        int first = answer.indexOf("HTTP/1.1 200");
        int second = answer.indexOf("HTTP/1.1 404");
        int third = answer.indexOf("HTTP/1.1 200", second);
        assertThat(first).isZero();
        assertThat(second).isGreaterThan(answer.indexOf("TAPE01"));
        assertThat(third).isGreaterThan(second);
        assertThat(answer).endsWith("ok");
    }

    @Test
    void aHeadRequestHasNoBody() throws IOException {
        String answer = exchange("HEAD /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertThat(answer)
                .startsWith("HTTP/1.1 200")
                .contains("content-length: 2")
                .endsWith("\r\n\r\n");
    }

    @Test
    void otherMethodsAreNotAllowed() throws IOException {
        String answer = exchange("DELETE /api/volumes HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 405");
        assertThat(exchange("PUT /nowhere HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 404");
    }

    @Test
    void connectionsBeyondTheCapAreClosed() throws Exception {
        console.close();
        console = ConsoleServer.builder(new FixtureControlData())
                .port(0)
                .maxConnections(2)
                .build()
                .start();
        try (Socket a = new Socket(InetAddress.getLoopbackAddress(), console.port());
                Socket b = new Socket(InetAddress.getLoopbackAddress(), console.port());
                Socket c = new Socket(InetAddress.getLoopbackAddress(), console.port())) {
            c.setSoTimeout(60_000);
            assertThat(c.getInputStream().read()).as("closed without an answer").isEqualTo(-1);
        }
        Awaitility.await().atMost(Duration.ofMinutes(2)).untilAsserted(this::stillServing);
    }

    @Test
    void aLoopbackRequestForAnotherHostNameIsRefused() throws IOException {
        String rebound = exchange(
                "GET /api/volumes HTTP/1.1\r\nHost: evil.example:" + console.port() + "\r\nConnection: close\r\n\r\n");
        assertThat(rebound).startsWith("HTTP/1.1 403").contains("evil.example");
        for (String host : new String[] {"localhost:" + console.port(), "127.0.0.1", "[::1]:80", "LOCALHOST"}) {
            assertThat(exchange("GET /api/volumes HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n"))
                    .as(host)
                    .startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void aUriThatDoesNotDecodeIsABadRequest() throws IOException {
        String answer = exchange("GET /api/files?path=%zz HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 400").contains("malformed request URI");
        stillServing();
    }
}
