package org.silo.wire.server;

import org.silo.wire.SiloException;

/** Runs one operation: gets the decoded request, returns the reply; never sees bytes. */
@FunctionalInterface
public interface Handler<Q, R> {
    R handle(CallContext ctx, Q request) throws SiloException;
}
