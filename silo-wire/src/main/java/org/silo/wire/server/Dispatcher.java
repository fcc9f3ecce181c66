package org.silo.wire.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Right;
import org.silo.wire.codec.Envelope;
import org.silo.wire.codec.OperationData;
import org.silo.wire.codec.Result;
import org.silo.wire.codec.WireReader;
import org.silo.wire.codec.WireWriter;
import org.silo.wire.op.Operation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operation handlers by code. Services register here; the endpoint hands it decoded envelopes. Runs the
 * operations of one message in order and stops at the first failure (RFC 8881 §16.2.3 COMPOUND).
 *
 * <pre>{@code
 * dispatcher.register(CoreOps.PING, (ctx, data) -> data);                  // quick: runs on the I/O thread
 * dispatcher.registerBlocking(FileClerkOps.STAT, "archive", Right.READ,     // may block: a worker thread,
 *         (ctx, path) -> namespace.stat(path));                           // and only for a READ right
 * }</pre>
 */
public final class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    /** The right a session needs on a whole service to call an operation at all; null for none. */
    private record Requirement(String service, Right right) {}

    private record Registered<Q, R>(
            Operation<Q, R> op, Handler<Q, R> handler, boolean blocking, int replyCode, Requirement needs) {
        Result run(CallContext ctx, OperationData data) throws SiloException {
            if (needs != null) {
                ctx.require(needs.service(), "", needs.right());
            }
            WireReader in = new WireReader(data.data());
            Q request = op.request().decode(in);
            R reply = handler.handle(ctx, request);
            WireWriter out = new WireWriter();
            op.reply().encode(reply, out);
            return new Result.Success(replyCode, out.toByteArray());
        }
    }

    private final Map<Integer, Registered<?, ?>> handlers = new ConcurrentHashMap<>();
    private final List<SessionEndListener> sessionEnd = new CopyOnWriteArrayList<>();

    /**
     * Registers a handler that never blocks: it runs on the receiving I/O thread. Any session may call
     * it; a handler that guards objects calls {@link CallContext#require} itself.
     */
    public <Q, R> Dispatcher register(Operation<Q, R> op, Handler<Q, R> handler) {
        return add(new Registered<>(op, handler, false, op.code(), null));
    }

    /** Registers a quick handler that needs a right on the whole service. */
    public <Q, R> Dispatcher register(Operation<Q, R> op, String service, Right right, Handler<Q, R> handler) {
        return add(new Registered<>(op, handler, false, op.code(), new Requirement(service, right)));
    }

    /** Registers a handler that may block (disk, database): it runs on a worker thread. */
    public <Q, R> Dispatcher registerBlocking(Operation<Q, R> op, Handler<Q, R> handler) {
        return add(new Registered<>(op, handler, true, op.code(), null));
    }

    /** Registers a handler that may block and needs a right on the whole service. */
    public <Q, R> Dispatcher registerBlocking(Operation<Q, R> op, String service, Right right, Handler<Q, R> handler) {
        return add(new Registered<>(op, handler, true, op.code(), new Requirement(service, right)));
    }

    /** Registers a quick handler whose result carries another code (NIL is answered NOT_KNOWN). */
    <Q, R> Dispatcher register(Operation<Q, R> op, Handler<Q, R> handler, int replyCode) {
        return add(new Registered<>(op, handler, false, replyCode, null));
    }

    private Dispatcher add(Registered<?, ?> r) {
        Registered<?, ?> old = handlers.putIfAbsent(r.op().code(), r);
        if (old != null) {
            throw new IllegalStateException(r.op() + " is already registered as " + old.op());
        }
        return this;
    }

    /** Adds a listener told when a session ends (END, or expiry): seed 002's ACTION_NETWORK_END. */
    public Dispatcher onSessionEnd(SessionEndListener listener) {
        sessionEnd.add(listener);
        return this;
    }

    /** Tells every session-end listener; one that fails is logged and does not stop the others. */
    void sessionEnded(Session s, boolean expired) {
        for (SessionEndListener l : sessionEnd) {
            try {
                l.ended(s, expired);
            } catch (RuntimeException e) {
                log.error("a session-end listener failed for {}", s, e);
            }
        }
    }

    /** Whether any operation of the message may block, so the message must leave the I/O thread. */
    boolean needsWorker(Envelope env) {
        for (OperationData op : env.operations()) {
            Registered<?, ?> r = handlers.get(op.code());
            if (r != null && r.blocking()) {
                return true;
            }
        }
        return false;
    }

    /** Runs the message's operations in order; the first failure ends it. */
    List<Result> run(CallContext ctx, Envelope env) {
        List<Result> results = new ArrayList<>(env.operations().size());
        for (OperationData op : env.operations()) {
            Result r = runOne(ctx, op);
            results.add(r);
            if (r instanceof Result.Failure) {
                break;
            }
        }
        return results;
    }

    /**
     * A failure in the log by whose fault it is ({@link ErrorCode.Family}): a call no correct client makes
     * at WARN, a server's own fault at ERROR (with its cause), a refusal, which is an answer like any
     * other, at DEBUG.
     */
    private static void logFailure(CallContext ctx, Registered<?, ?> r, SiloException e) {
        // arguments, not strings: a refusal (a stat of a file not yet there, per put) costs nothing unless DEBUG is on
        switch (e.code().family()) {
            case CLIENT_FAULT ->
                log.warn("{} from {} refused: {}: {}", r.op(), ctx.session(), e.code(), e.getMessage());
            case SERVER_FAULT ->
                log.error("{} failed in {}: {}: {}", r.op(), ctx.session(), e.code(), e.getMessage(), e.getCause());
            case REFUSAL -> log.debug("{} in {}: {}: {}", r.op(), ctx.session(), e.code(), e.getMessage());
        }
    }

    private Result runOne(CallContext ctx, OperationData op) {
        Registered<?, ?> r = handlers.get(op.code());
        if (r == null) {
            return new Result.Failure(
                    op.code(),
                    ErrorCode.UNKNOWN_OPERATION,
                    String.format("operation 0x%04x is not known to this server", op.code()));
        }
        try {
            return r.run(ctx, op);
        } catch (SiloException e) {
            logFailure(ctx, r, e);
            return new Result.Failure(
                    op.code(), e.code(), e.getMessage() == null ? e.code().name() : e.getMessage());
        } catch (RuntimeException e) {
            log.error("{} failed in {}", r.op(), ctx.session(), e);
            return new Result.Failure(op.code(), ErrorCode.INTERNAL, r.op().name() + " failed: " + e);
        }
    }
}
