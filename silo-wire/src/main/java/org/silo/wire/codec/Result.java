package org.silo.wire.codec;

import static org.silo.wire.WireConstants.STATUS_FAILURE;
import static org.silo.wire.WireConstants.STATUS_SUCCESS;

import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * The result of one operation in a reply envelope: status SUCCESS with the reply data, or FAILURE with
 * an error code and text (docs/protocol.md §3).
 */
public sealed interface Result {

    int code();

    record Success(int code, byte[] data) implements Result {}

    record Failure(int code, ErrorCode error, String message) implements Result {
        public SiloException toException() {
            return SiloException.of(error, message);
        }
    }

    default OperationData encode() {
        WireWriter w = new WireWriter();
        switch (this) {
            case Success s -> w.u8(STATUS_SUCCESS).bytes(s.data());
            case Failure f -> w.u8(STATUS_FAILURE).u16(f.error().code()).utf8Rest(f.message());
        }
        return new OperationData(code(), w.toByteArray());
    }

    static Result decode(OperationData op) throws SiloException {
        WireReader r = new WireReader(op.data());
        int status = r.u8();
        return switch (status) {
            case STATUS_SUCCESS -> new Success(op.code(), r.rest());
            case STATUS_FAILURE -> new Failure(op.code(), ErrorCode.of(r.u16()), r.utf8Rest());
            default -> throw SiloException.malformed("unknown result status " + status);
        };
    }
}
