package org.silo.control.text;

import static org.silo.control.text.TextConstants.*;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.silo.control.ControlData;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Grants;
import org.silo.wire.auth.Right;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One control connection: answers each message, and pushes STATUS to displays (seed 004). */
final class TextSession extends SimpleChannelInboundHandler<Object> {
    private static final Logger log = LoggerFactory.getLogger(TextSession.class);
    private static final List<String> SERVER_CAPABILITIES =
            List.of(WHATIS, SREPORT, QREPORT, QUEUE, CLEAR, ASKCAPAB, NAME, LOGIN);
    private static final java.util.Set<String> KNOWN_VERBS =
            CLIENT_VERBS.stream().map(Verb::name).collect(java.util.stream.Collectors.toUnmodifiableSet());

    private final ControlData data;
    private final WorkerRegistry workers;
    private final TextServer server;
    private final String version;
    private Grants grants = Grants.NONE;
    private String who = "anonymous";
    private String id;
    private ClientType type;
    private final java.util.concurrent.atomic.AtomicBoolean moverBusy = new java.util.concurrent.atomic.AtomicBoolean();

    TextSession(ControlData data, WorkerRegistry workers, TextServer server, String version) {
        this.data = data;
        this.workers = workers;
        this.server = server;
        this.version = version;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        grants = data.anonymous(((InetSocketAddress) ctx.channel().remoteAddress()).getAddress());
        send(ctx, TextMessage.of(IDENT, "silo", version, VERSION));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (type == ClientType.WORKER) {
            workers.disconnected(id);
            if (isMover()) {
                data.moverGone(id);
            }
        }
        server.forget(ctx.channel());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
        if (msg == TextFrameDecoder.TOO_LONG) {
            ctx.writeAndFlush(TextCodec.encode(
                            TextMessage.error(TOO_LONG, "message longer than " + MAX_MESSAGE + " bytes")))
                    .addListener(f -> ctx.close());
            return;
        }
        if (msg instanceof TextFrameDecoder.Malformed bad) {
            send(ctx, TextMessage.error(BAD_REQUEST, bad.why())); // the framing holds: the connection goes on
            return;
        }
        TextMessage m = TextCodec.parse((String) msg);
        if (m.verb().contains(" ")) { // typed with spaces at ncat: say so rather than "unknown verb"
            send(
                    ctx,
                    TextMessage.error(
                            BAD_REQUEST,
                            "fields are separated by tabs, not spaces: '" + m.verb()
                                    + "' is read as one verb; HELP lists the verbs and their fields"));
            return;
        }
        if (m.verb().equals(STATUS) && type == ClientType.WORKER && isMover()) {
            moverStatus(ctx, m);
            return;
        }
        TextMessage answer;
        try {
            answer = answer(ctx, m);
        } catch (SiloException e) {
            answer = TextMessage.error(code(e), e.getMessage());
        } catch (RuntimeException | java.io.IOException e) {
            log.warn("control message {} failed", m.verb(), e);
            answer = TextMessage.error(FAILED, m.verb() + " failed: " + e);
        }
        send(ctx, answer);
        if (m.verb().equals(QUIT)) {
            ctx.close();
        }
    }

    private TextMessage answer(ChannelHandlerContext ctx, TextMessage m) throws SiloException, java.io.IOException {
        if (!KNOWN_VERBS.contains(m.verb())) {
            return TextMessage.error(
                    BAD_REQUEST,
                    m.verb().isEmpty()
                            ? "a message needs a verb"
                            : "unknown verb '" + m.verb() + "'; HELP lists the verbs");
        }
        return switch (m.verb()) {
            case ID -> identify(ctx, m);
            case CAPAB -> new TextMessage(CAP, concat("server", SERVER_CAPABILITIES), List.of());
            case ASKCAPAB -> {
                TextMessage cap = TextMessage.of(CAP);
                for (WorkerRegistry.Worker w : workers.list()) {
                    cap = cap.line(
                            concat(w.id(), concat(w.name(), w.capabilities())).toArray());
                }
                yield cap;
            }
            case SREPORT -> {
                TextMessage list = TextMessage.of(SLIST);
                for (WorkerRegistry.Worker w : workers.list()) {
                    WorkerRegistry.Stats st = w.stats();
                    list = list.line(
                            w.id(),
                            w.name(),
                            w.state(),
                            w.percent(),
                            w.detail(),
                            w.connected() ? "connected" : "gone",
                            w.version(),
                            st.done(),
                            st.failed(),
                            st.bytes(),
                            Math.round(st.bytesPerSecond()));
                }
                if (grants.allows("archive", "", Right.READ)) { // the archive's movers only for those who may read it
                    for (Map<String, Object> mover : data.movers()) {
                        if (workers.get(TextLines.text(mover, "id"))
                                == null) { // a text mover is listed once, as the worker it is
                            list = list.line(TextLines.moverLine(mover).toArray());
                        }
                    }
                }
                yield list;
            }
            case QREPORT -> {
                require("archive", "", Right.READ);
                TextMessage list = TextMessage.of(QLIST);
                for (Map<String, Object> j : data.jobs()) {
                    list = list.line(
                            TextLines.text(j, "id"),
                            TextLines.text(j, "kind"),
                            TextLines.text(j, "state"),
                            TextLines.text(j, "effectivePriority"),
                            TextLines.text(j, "path"),
                            TextLines.text(j, "size"),
                            TextLines.text(j, "volume"),
                            TextLines.text(j, "moverName"));
                }
                yield list;
            }
            case QUEUE -> queue(m);
            case CLEAR -> {
                require("archive", "", Right.ADMIN);
                yield TextMessage.of(OK, CLEAR, String.valueOf(data.clearQueue(who)));
            }
            case WHATIS -> whatis(m);
            case NAME -> {
                require("control", m.field(0), Right.ADMIN);
                if (m.field(0).isEmpty() || m.field(1).isEmpty()) {
                    throw SiloException.invalid("NAME needs a worker id and a name");
                }
                workers.name(m.field(0), m.field(1));
                yield TextMessage.of(OK, NAME);
            }
            case LOGIN -> {
                grants = data.login(
                        m.field(0),
                        m.field(1).toCharArray(),
                        ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress());
                who = m.field(0);
                yield TextMessage.of(OK, LOGIN, grants);
            }
            case QUIT -> TextMessage.of(OK, QUIT);
            case CAP -> {
                requireWorker();
                workers.capabilities(id, m.fields());
                if (answersWhatis()) { // seed 004's "server query client": what it holds, asked as soon as it says it
                    // answers
                    ctx.executor().execute(() -> send(ctx, TextMessage.of(WHATIS)));
                }
                yield TextMessage.of(OK, CAP);
            }
            case STATUS -> {
                requireWorker();
                int percent = percent(m.field(1));
                workers.status(id, m.field(0), percent, m.field(2));
                Boolean passed = TextLines.outcome(m.field(0), percent, m.fields());
                if (passed != null) {
                    workers.finished(id, passed, 0);
                }
                yield TextMessage.of(OK, STATUS);
            }
            case INFO -> {
                requireWorker();
                workers.holdings(id, m.lines());
                server.pushInfo(TextLines.info(workers.get(id)));
                yield TextMessage.of(OK, INFO);
            }
            case HELP -> {
                TextMessage help = TextMessage.of(VERBS, HELP_RULES);
                for (Verb v : CLIENT_VERBS) {
                    help = help.line(v.name(), v.fields(), v.what());
                }
                yield help;
            }
            default -> throw new IllegalStateException("verb " + m.verb() + " is in CLIENT_VERBS but is not answered");
        };
    }

    /** Whether this worker said it is a mover: a capability {@code mover:LIBRARY}. */
    private boolean isMover() {
        WorkerRegistry.Worker w = workers.get(id);
        return w != null && w.capabilities().stream().anyMatch(c -> c.startsWith("mover:"));
    }

    /**
     * A mover's STATUS goes to the library manager, which may wait up to a second for work: off the event
     * loop, on a virtual thread; the worker waits for the answer before it speaks again (seed 004:
     * "repeat until BURN").
     */
    private void moverStatus(ChannelHandlerContext ctx, TextMessage m) {
        WorkerRegistry.Worker w = workers.get(id);
        if (!moverBusy.compareAndSet(false, true)) { // one at a time: a flood must not start a thread per message
            send(ctx, TextMessage.error(BAD_REQUEST, "wait for the answer to your last STATUS before sending another"));
            return;
        }
        Thread.ofVirtual().name("text-mover-" + id).start(() -> {
            TextMessage answer;
            try {
                require("archive", "mover:", Right.WRITE);
                workers.status(
                        id,
                        m.field(0),
                        percent(m.field(1)),
                        String.join(
                                " ",
                                m.fields()
                                        .subList(
                                                Math.min(2, m.fields().size()),
                                                m.fields().size())));
                ControlData.MoverAnswer a = data.moverStatus(id, w.name(), w.capabilities(), m.fields(), m.lines());
                if (a.passed() != null) {
                    workers.finished(id, a.passed(), a.bytes());
                }
                List<List<String>> lines = a.lines();
                if (lines.isEmpty()) {
                    answer = TextMessage.of(OK, STATUS);
                } else {
                    answer = new TextMessage(
                            lines.get(0).get(0),
                            lines.get(0).subList(1, lines.get(0).size()),
                            List.of());
                    for (List<String> line : lines.subList(1, lines.size())) {
                        answer = answer.line(line.toArray());
                    }
                }
            } catch (SiloException e) {
                answer = TextMessage.error(code(e), e.getMessage());
            } catch (RuntimeException | java.io.IOException e) {
                log.warn("text mover {}: STATUS failed", id, e);
                answer = TextMessage.error(FAILED, "STATUS failed: " + e);
            } finally {
                moverBusy.set(false);
            }
            send(ctx, answer);
        });
    }

    private TextMessage identify(ChannelHandlerContext ctx, TextMessage m) throws SiloException {
        if (id != null) {
            throw SiloException.invalid("ID was already given: " + id);
        }
        String clientId = m.field(0);
        if (clientId.isEmpty() || clientId.length() > 128) {
            throw SiloException.invalid(
                    "ID needs a unique id of 1..128 characters and a type (display, command, worker)");
        }
        ClientType t;
        try {
            t = ClientType.valueOf(m.field(1).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw SiloException.invalid("client type '" + m.field(1) + "': display, command or worker");
        }
        if (t == ClientType.WORKER) {
            require("control", clientId, Right.WRITE);
        }
        // seed 004: "CLIENT: ID\tV[version]": the version of the client's software, kept and shown in SLIST
        String version = m.field(2).startsWith("V") || m.field(2).startsWith("v")
                ? m.field(2).substring(1)
                : m.field(2);
        if (version.length() > 64) {
            throw SiloException.invalid("ID's version is at most 64 characters");
        }
        id = clientId;
        type = t;
        server.joined(ctx.channel(), t, clientId);
        if (t == ClientType.WORKER) {
            workers.connected(id, version);
            ctx.executor().execute(() -> send(ctx, TextMessage.of(CAPAB)));
        }
        return TextMessage.of(OK, ID);
    }

    /**
     * QUEUE: seed 004's {@code QUEUE HASH} (a copy of the file with that content hash to another volume),
     * or {@code QUEUE copy FILE [VOLUME]} (FILE a path or a hash) and {@code QUEUE verify VOLUME}.
     * Answered {@code QOK JOB-ID}.
     */
    private TextMessage queue(TextMessage m) throws SiloException {
        String what = m.field(0);
        Map<String, Object> job;
        if (what.startsWith("sha256:") || what.startsWith("md5:")) {
            require("archive", "vol:", Right.WRITE);
            job = data.queueCopy(what, null, who);
        } else if (what.equalsIgnoreCase("copy") && !m.field(1).isEmpty()) {
            require("archive", "vol:", Right.WRITE);
            job = data.queueCopy(m.field(1), m.field(2).isEmpty() ? null : m.field(2), who);
        } else if (what.equalsIgnoreCase("verify") && !m.field(1).isEmpty()) {
            require("archive", "vol:" + m.field(1), Right.WRITE); // as verify_volume: a whole volume's reading
            job = data.queueVerify(m.field(1), who);
        } else {
            throw SiloException.invalid("QUEUE HASH | QUEUE copy FILE [VOLUME] | QUEUE verify VOLUME");
        }
        return TextMessage.of(QOK, TextLines.text(job, "id"));
    }

    private TextMessage whatis(TextMessage m) throws SiloException {
        String kind = m.field(0).toLowerCase(Locale.ROOT);
        String name = m.field(1);
        if (kind.equals("worker")) {
            return whatisWorker(name);
        }
        String service = switch (kind) {
            case "volume", "file" -> "archive";
            case "image" -> "block";
            default -> throw SiloException.invalid("WHATIS volume|file|image|worker NAME, not '" + m.field(0) + "'");
        };
        require(service, kind.equals("volume") ? "vol:" + name : name, Right.READ);
        TextMessage info = TextMessage.of(INFO, kind, name);
        for (Map.Entry<String, Object> e : data.whatis(kind, name).entrySet()) {
            info = info.line((Object[]) TextLines.infoLine(e.getKey(), e.getValue()));
        }
        return info;
    }

    /**
     * WHATIS worker ID: what the server last heard the worker hold (its INFO), and, if the worker is
     * connected and answers WHATIS, a fresh WHATIS to it; its INFO is pushed to displays when it comes
     * (seed 004: "Client need not answer right away").
     */
    private TextMessage whatisWorker(String worker) throws SiloException {
        require("control", worker, Right.READ);
        WorkerRegistry.Worker w = workers.get(worker);
        if (w == null) {
            throw SiloException.notFound("no worker " + worker + " has connected since the server started");
        }
        boolean asked = w.connected()
                && w.capabilities().stream().anyMatch(c -> c.equalsIgnoreCase(WHATIS))
                && server.ask(worker);
        return TextLines.info(w)
                .line(
                        "asked",
                        asked ? "yes" : "no: " + (w.connected() ? "it does not answer WHATIS" : "not connected"));
    }

    /** Whether this worker's CAP says it answers the server's WHATIS. */
    private boolean answersWhatis() {
        WorkerRegistry.Worker w = workers.get(id);
        return w != null && w.capabilities().stream().anyMatch(c -> c.equalsIgnoreCase(WHATIS));
    }

    private void requireWorker() throws SiloException {
        if (type != ClientType.WORKER) {
            throw SiloException.invalid("only a worker sends this; send ID <id> worker first");
        }
    }

    private void require(String service, String object, Right right) throws SiloException {
        if (!grants.allows(service, object, right)) {
            throw SiloException.of(
                    org.silo.wire.ErrorCode.PERMISSION,
                    String.format(
                            "refused: needs %s on %s:%s; %s has %s",
                            right.name().toLowerCase(Locale.ROOT), service, object, who, grants));
        }
    }

    private static int percent(String text) throws SiloException {
        try {
            int p = Integer.parseInt(text.trim().replace("%", ""));
            if (p < 0 || p > 100) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw SiloException.invalid("STATUS state percent detail: percent is 0..100, not '" + text + "'");
        }
    }

    /** The ERROR code for a failure: a refusal is 401 while the connection has not logged in (as HTTP's), 403 after. */
    private int code(SiloException e) {
        return switch (e.code()) {
            case PERMISSION -> who.equals("anonymous") ? LOGIN_NEEDED : REFUSED;
            case NOT_FOUND -> NOT_FOUND;
            case INVALID, MALFORMED -> BAD_REQUEST;
            default -> FAILED;
        };
    }

    private static List<String> concat(String first, List<String> rest) {
        String[] all = new String[rest.size() + 1];
        all[0] = first;
        for (int i = 0; i < rest.size(); i++) {
            all[i + 1] = rest.get(i);
        }
        return Arrays.asList(all);
    }

    static void send(ChannelHandlerContext ctx, TextMessage m) {
        ctx.writeAndFlush(TextCodec.encode(m));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("control connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
