package org.silo.wire.client;

import java.util.ArrayList;
import java.util.List;
import org.silo.wire.SiloException;
import org.silo.wire.codec.Envelope;
import org.silo.wire.codec.OperationData;
import org.silo.wire.codec.WireWriter;
import org.silo.wire.op.Operation;

/**
 * A message of several operations, answered in order in one reply (docs/protocol.md §2), built with
 * {@link SiloClient#compound()}.
 */
public final class Compound {
    private final SiloClient client;
    private final List<OperationData> ops = new ArrayList<>();

    Compound(SiloClient client) {
        this.client = client;
    }

    public <Q> Compound add(Operation<Q, ?> op, Q request) {
        WireWriter w = new WireWriter();
        op.request().encode(request, w);
        ops.add(new OperationData(op.code(), w.toByteArray()));
        return this;
    }

    public Envelope envelope() {
        return new Envelope(ops);
    }

    public Reply send() throws SiloException {
        return SiloClient.await(client.send(envelope(), false));
    }
}
