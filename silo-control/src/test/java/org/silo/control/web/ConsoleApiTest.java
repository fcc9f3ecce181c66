package org.silo.control.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.silo.control.fixture.FixtureControlData;
import org.silo.wire.auth.Grants;

/** The JSON API over real HTTP against a console on an ephemeral port and the in-memory fixture. */
@Timeout(300)
class ConsoleApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final FixtureControlData data = new FixtureControlData();
    private ConsoleServer console;
    private HttpClient http;

    @BeforeEach
    void start() throws Exception {
        console = ConsoleServer.builder(data).port(0).maxBody(4096).build().start();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(60)).build();
    }

    @AfterEach
    void stop() {
        console.close();
        http.close();
    }

    private URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + console.port() + pathAndQuery);
    }

    private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(pathAndQuery)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body, String cookie)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
                .header("X-Silo", "1")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        return JSON.readTree(r.body());
    }

    private String login(String list, String password) throws Exception {
        HttpResponse<String> r =
                post("/api/login", "{\"list\":\"" + list + "\",\"password\":\"" + password + "\"}", null);
        assertThat(r.statusCode()).isEqualTo(200);
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie)
                .containsIgnoringCase("HttpOnly")
                .contains("SameSite=Strict")
                .contains("Path=/");
        String pair = setCookie.split(";", 2)[0];
        assertThat(pair).matches("silo_session=[0-9a-f]{32}");
        return pair;
    }

    @Test
    void healthAndMetrics() throws Exception {
        HttpResponse<String> health = get("/healthz");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("ok");
        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain; version=0.0.4");
        assertThat(metrics.body())
                .contains("silo_wire_requests_total")
                .contains("silo_console_responses_total{status=\"2xx\"} 1")
                .contains("silo_console_logins_total{result=\"refused\"} 0")
                .contains("silo_console_sessions 0")
                .contains("silo_console_connections 1");
    }

    @Test
    void loginsAndRefusalsAreCounted() throws Exception {
        post("/api/login", "{\"list\":\"root\",\"password\":\"wrong\"}", null);
        login("root", FixtureControlData.ROOT_PASSWORD);
        String metrics = get("/metrics").body();
        assertThat(metrics)
                .contains("silo_console_logins_total{result=\"accepted\"} 1")
                .contains("silo_console_logins_total{result=\"refused\"} 1")
                .contains("silo_console_responses_total{status=\"4xx\"} 1")
                .contains("silo_console_sessions 1");
    }

    @Test
    void statusCarriesTheSummaryAndTheServersMap() throws Exception {
        JsonNode s = json(get("/api/status"));
        assertThat(s.get("time").asLong()).isPositive();
        assertThat(s.at("/summary/volumes").asInt()).isEqualTo(3);
        assertThat(s.at("/summary/files").asInt()).isEqualTo(517);
        assertThat(s.at("/summary/sessions").asInt()).isEqualTo(4);
        assertThat(s.at("/summary/requests").asLong()).isGreaterThan(1000);
        assertThat(s.at("/server/name").asText()).isEqualTo("fixture");
    }

    /** The hour the overview charts is sampled by the server from its start, with no page open. */
    @Test
    void throughputHistoryIsKeptByTheServer() throws Exception {
        try (ConsoleServer sampled = ConsoleServer.builder(data)
                .port(0)
                .historyPeriod(Duration.ofMillis(50))
                .build()
                .start()) {
            URI uri = URI.create("http://127.0.0.1:" + sampled.port() + "/api/throughput");
            JsonNode h = org.awaitility.Awaitility.await()
                    .atMost(Duration.ofMinutes(1))
                    .until(
                            () -> json(http.send(
                                    HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())),
                            j -> j.get("samples").size() >= 3);
            assertThat(h.get("periodMs").asLong()).isEqualTo(50);
            JsonNode first = h.at("/samples/0");
            JsonNode second = h.at("/samples/1");
            assertThat(second.get("time").asLong())
                    .isGreaterThan(first.get("time").asLong());
            // the fixture counts 25 requests per look at STATUS
            assertThat(second.get("requests").asLong())
                    .isGreaterThan(first.get("requests").asLong());
            assertThat(second.get("bytesMoved").asLong()).isPositive();
        }
    }

    @Test
    void volumesFilesImagesWhatis() throws Exception {
        JsonNode v = json(get("/api/volumes"));
        assertThat(v.get("volumes")).hasSize(3);
        assertThat(v.at("/volumes/0/label").asText()).isEqualTo("DISK07");

        JsonNode f = json(get("/api/files?path=/data"));
        assertThat(f.get("path").asText()).isEqualTo("/data");
        assertThat(f.at("/entries/0/adler32").asText()).isEqualTo("0a1b2c3d");
        assertThat(json(get("/api/files")).get("path").asText()).isEqualTo("/");

        JsonNode i = json(get("/api/images"));
        assertThat(i.at("/images/0/holders/0").asText()).isEqualTo("nbd /10.0.0.5:53422 (write)");
        assertThat(i.at("/snapshots/1/parent").asLong()).isEqualTo(1);
        assertThat(i.at("/snapshots/1/path").asText()).isEqualTo("/snapshots/retro/2");

        JsonNode w =
                json(get("/api/whatis?kind=file&name=" + URLEncoder.encode("/data/run2.raw", StandardCharsets.UTF_8)));
        assertThat(w.at("/info/volume").asText()).isEqualTo("TAPE02");
        assertThat(json(get("/api/whatis?kind=volume&name=TAPE01"))
                        .at("/info/state")
                        .asText())
                .isEqualTo("ok");
    }

    @Test
    void badInputIsAnsweredWithTheRightStatus() throws Exception {
        assertError(get("/nowhere"), 404, "NOT_FOUND");
        assertError(get("/api/nowhere"), 404, "NOT_FOUND");
        assertError(get("/static/../ControlData.class"), 404, "NOT_FOUND");
        assertError(get("/api/files?path=relative"), 400, "INVALID");
        assertError(get("/api/files?path=/missing"), 404, "NOT_FOUND");
        assertError(get("/api/whatis?kind=planet&name=x"), 400, "INVALID");
        assertError(get("/api/whatis?kind=volume"), 400, "INVALID");
        assertError(get("/api/whatis?kind=volume&name=NOPE"), 404, "NOT_FOUND");
        assertError(post("/api/volumes", "{}", null), 405, "INVALID");
        assertError(get("/api/login"), 405, "INVALID");
        assertError(post("/api/login", "{not json", null), 400, "INVALID");
        assertError(post("/api/login", "[1,2]", null), 400, "INVALID");
        assertError(post("/api/login", "{\"list\":7,\"password\":\"x\"}", null), 400, "INVALID");
        assertError(post("/api/volumes/TAPE01/state", "{\"state\":\"melted\"}", null), 400, "INVALID");
        assertError(post("/api/volumes/bad%2Flabel/state", "{\"state\":\"ok\"}", null), 400, "INVALID");
        assertThat(get("/healthz").statusCode()).as("still serving").isEqualTo(200);
    }

    @Test
    void anOversizedBodyIsRefused() throws Exception {
        String big = "{\"list\":\"" + "x".repeat(8192) + "\"}";
        HttpResponse<String> r = post("/api/login", big, null);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void loginWithARealVerifierAndLogout() throws Exception {
        assertError(post("/api/login", "{\"list\":\"root\",\"password\":\"wrong\"}", null), 401, "LOGIN_NEEDED");
        assertError(post("/api/login", "{\"list\":\"nobody\",\"password\":\"x\"}", null), 401, "LOGIN_NEEDED");
        String cookie = login("root", FixtureControlData.ROOT_PASSWORD);
        HttpRequest who = HttpRequest.newBuilder(uri("/api/session"))
                .header("Cookie", cookie)
                .build();
        JsonNode session = JSON.readTree(
                http.send(who, HttpResponse.BodyHandlers.ofString()).body());
        assertThat(session.get("loggedIn").asBoolean()).isTrue();
        assertThat(session.get("list").asText()).isEqualTo("root");
        assertThat(console.loggedInSessions()).isEqualTo(1);

        HttpResponse<String> out = post("/api/logout", "{}", cookie);
        assertThat(out.statusCode()).isEqualTo(200);
        assertThat(out.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
        assertThat(console.loggedInSessions()).isZero();
        session = JSON.readTree(
                http.send(who, HttpResponse.BodyHandlers.ofString()).body());
        assertThat(session.get("loggedIn").asBoolean()).isFalse();
    }

    @Test
    void aStateChangeNeedsAnAdminLogin() throws Exception {
        String body = "{\"state\":\"readonly\",\"reason\":\"drive errors\"}";
        JsonNode anonymous = assertError(post("/api/volumes/TAPE01/state", body, null), 401, "LOGIN_NEEDED");
        assertThat(anonymous.get("error").asText()).contains("archive:vol:TAPE01:admin");

        String reader = login("reader", FixtureControlData.READER_PASSWORD);
        JsonNode refused = assertError(post("/api/volumes/TAPE01/state", body, reader), 403, "PERMISSION");
        assertThat(refused.get("error").asText()).contains("'reader'").contains("archive:vol:TAPE01:admin");

        String root = login("root", FixtureControlData.ROOT_PASSWORD);
        HttpResponse<String> ok = post("/api/volumes/TAPE01/state", body, root);
        assertThat(ok.statusCode()).isEqualTo(200);
        JsonNode v = json(get("/api/whatis?kind=volume&name=TAPE01")).get("info");
        assertThat(v.get("state").asText()).isEqualTo("readonly");
        assertThat(v.get("stateReason").asText()).isEqualTo("drive errors");
        assertThat(v.get("stateBy").asText()).isEqualTo("root");

        assertError(post("/api/volumes/NOPE/state", body, root), 404, "NOT_FOUND");
    }

    @Test
    void leasesAreListed() throws Exception {
        JsonNode leases = json(get("/api/leases")).get("leases");
        assertThat(leases).hasSize(3);
        assertThat(leases.get(1).get("holder").asText()).isEqualTo("bob-ws");
        assertThat(leases.get(1).get("recalled").asBoolean()).isTrue();
        assertThat(leases.get(2).get("kind").asText()).isEqualTo("write");
    }

    @Test
    void jobsAreCancelledAndReprioritisedAndMountsAnsweredByAnAdmin() throws Exception {
        long job = ((Number) data.queueCopy("/data/run1.raw", null, "test").get("id")).longValue();
        data.mountWaiting("TAPE02", "mover1");
        assertError(post("/api/jobs/" + job + "/kill", "{}", null), 401, "LOGIN_NEEDED");
        String reader = login("reader", FixtureControlData.READER_PASSWORD);
        assertError(post("/api/mounts/TAPE02/confirm", "{}", reader), 403, "PERMISSION");
        assertThat(json(get("/api/mounts")).get("mounts")).hasSize(1);

        String root = login("root", FixtureControlData.ROOT_PASSWORD);
        assertThat(json(post("/api/jobs/" + job + "/priority", "{\"priority\":900}", root))
                        .get("effectivePriority")
                        .asInt())
                .isEqualTo(900);
        assertError(post("/api/jobs/" + job + "/priority", "{\"priority\":\"high\"}", root), 400, "INVALID");
        assertError(post("/api/jobs/x1/kill", "{}", root), 400, "INVALID");
        assertError(post("/api/jobs/999/kill", "{}", root), 404, "NOT_FOUND");
        assertThat(json(post("/api/jobs/" + job + "/kill", "{}", root))
                        .get("state")
                        .asText())
                .isEqualTo("cancelled");
        assertThat(json(get("/api/jobs")).get("jobs"))
                .extracting(j -> j.get("id").asLong())
                .doesNotContain(job);

        JsonNode refused = json(post("/api/mounts/TAPE02/refuse", "{\"reason\":\"cracked\"}", root));
        assertThat(refused.get("state").asText()).isEqualTo("refused");
        assertThat(refused.get("by").asText()).isEqualTo("root");
        assertError(post("/api/mounts/TAPE02/confirm", "{}", root), 404, "NOT_FOUND");
        assertError(post("/api/mounts/bad%2Flabel/confirm", "{}", root), 400, "INVALID");

        assertError(post("/api/movers/mover1/name", "{\"name\":\"no spaces please\"}", root), 400, "INVALID");
        assertError(post("/api/movers/ghost/name", "{\"name\":\"x\"}", root), 404, "NOT_FOUND");
        assertThat(json(post("/api/movers/mover1/name", "{\"name\":\"drive-b\"}", root))
                        .get("name")
                        .asText())
                .isEqualTo("drive-b");
        assertThat(json(get("/api/movers")).get("movers").get(0).get("name").asText())
                .isEqualTo("drive-b");
    }

    @Test
    void anonymousAdminRightsNeedNoLogin() throws Exception {
        data.anonymous(Grants.ALL);
        HttpResponse<String> ok = post("/api/volumes/DISK07/state", "{\"state\":\"noaccess\"}", null);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(ok.body()).get("stateBy").asText()).isEqualTo("anonymous@127.0.0.1");
    }

    @Test
    void postsWithoutTheScriptHeaderOrFromAnotherOriginAreRefused() throws Exception {
        String cookie = login("root", FixtureControlData.ROOT_PASSWORD);
        String body = "{\"state\":\"full\"}";
        HttpRequest noHeader = HttpRequest.newBuilder(uri("/api/volumes/TAPE01/state"))
                .header("Cookie", cookie)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        JsonNode r = assertError(http.send(noHeader, HttpResponse.BodyHandlers.ofString()), 403, "PERMISSION");
        assertThat(r.get("error").asText()).contains("X-Silo");

        HttpRequest otherOrigin = HttpRequest.newBuilder(uri("/api/volumes/TAPE01/state"))
                .header("Cookie", cookie)
                .header("X-Silo", "1")
                .header("Origin", "http://evil.example")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        assertError(http.send(otherOrigin, HttpResponse.BodyHandlers.ofString()), 403, "PERMISSION");
        assertThat(json(get("/api/whatis?kind=volume&name=TAPE01"))
                        .at("/info/state")
                        .asText())
                .isEqualTo("ok");
    }

    @Test
    void readsAreFilteredByRights() throws Exception {
        data.anonymous(Grants.NONE);
        assertThat(json(get("/api/volumes")).get("volumes")).isEmpty();
        assertThat(json(get("/api/images")).get("images")).isEmpty();
        assertThat(json(get("/api/images")).get("snapshots"))
                .as("read on the image")
                .isEmpty();
        assertError(get("/api/files?path=/data"), 401, "LOGIN_NEEDED");
        assertThat(assertError(get("/api/status"), 401, "LOGIN_NEEDED")
                        .get("error")
                        .asText())
                .contains("core::read");
        assertError(get("/api/events"), 401, "LOGIN_NEEDED");
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        assertThat(get("/metrics").statusCode()).isEqualTo(200);
        String reader = login("reader", FixtureControlData.READER_PASSWORD);
        HttpRequest status = HttpRequest.newBuilder(uri("/api/status"))
                .header("Cookie", reader)
                .build();
        assertThat(http.send(status, HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(200);
    }

    @Test
    void eventsStreamStatusEverySecond() throws Exception {
        HttpRequest events = HttpRequest.newBuilder(uri("/api/events"))
                .header("Accept", "text/event-stream")
                .build();
        HttpResponse<Stream<String>> r = http.send(events, HttpResponse.BodyHandlers.ofLines());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
        try (Stream<String> lines = r.body()) {
            long[] requests = lines.filter(l -> l.startsWith("data: "))
                    .limit(2)
                    .mapToLong(l ->
                            readTree(l.substring(6)).at("/summary/requests").asLong())
                    .toArray();
            assertThat(requests[1]).isGreaterThan(requests[0]);
        }
    }

    private static JsonNode readTree(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode assertError(HttpResponse<String> r, int status, String code) throws IOException {
        assertThat(r.statusCode()).as(r.uri() + " " + r.body()).isEqualTo(status);
        JsonNode body = json(r);
        assertThat(body.get("code").asText()).isEqualTo(code);
        assertThat(body.get("error").asText()).isNotBlank();
        return body;
    }

    @Test
    void aPortInUseIsAnIOExceptionAndTheFirstServerCarriesOn() throws Exception {
        ConsoleServer second = ConsoleServer.builder(data).port(console.port()).build();
        assertThatThrownBy(second::start).isInstanceOf(IOException.class).hasMessageContaining("in use");
        second.close();
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }
}
