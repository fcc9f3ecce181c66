package org.silo.wire.codec;

import static org.silo.wire.WireConstants.ENVELOPE_VERSION;

import java.util.ArrayList;
import java.util.List;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * The message of seed 003: a version octet, then a sequence of (operation code, BER length, data).
 * Requests carry operations; replies carry one result per operation run.
 */
public record Envelope(List<OperationData> operations) {

    public Envelope {
        operations = List.copyOf(operations);
    }

    public static Envelope of(OperationData... ops) {
        return new Envelope(List.of(ops));
    }

    public byte[] encode() {
        int size = 1;
        for (OperationData op : operations) {
            size += 2 + Ber.size(op.data().length) + op.data().length;
        }
        WireWriter w = new WireWriter(size);
        w.u8(ENVELOPE_VERSION);
        for (OperationData op : operations) {
            w.u16(op.code()).lengthPrefixed(op.data());
        }
        return w.toByteArray();
    }

    public static Envelope decode(byte[] body) throws SiloException {
        WireReader r = new WireReader(body);
        if (!r.hasRemaining()) {
            throw SiloException.malformed("empty envelope");
        }
        int version = r.u8();
        if (version != ENVELOPE_VERSION) {
            throw SiloException.of(ErrorCode.BAD_VERSION, "envelope version " + version + " is not supported");
        }
        List<OperationData> ops = new ArrayList<>();
        while (r.hasRemaining()) {
            int code = r.u16();
            ops.add(new OperationData(code, r.lengthPrefixed()));
        }
        return new Envelope(ops);
    }
}
