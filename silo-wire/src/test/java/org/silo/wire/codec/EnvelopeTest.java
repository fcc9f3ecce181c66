package org.silo.wire.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * Seed 003: {@code version(1) { op(2 here) asn1length data }*}.
 */
class EnvelopeTest {

    @Test
    void severalOperationsInOrder() throws SiloException {
        Envelope env = Envelope.of(
                new OperationData(0x0601, new byte[] {9}),
                new OperationData(0x0607, new byte[200]),
                new OperationData(0x0603, new byte[0]));
        byte[] bytes = env.encode();
        assertThat(HexFormat.of().formatHex(bytes, 0, 8)).isEqualTo("01" + "0601" + "01" + "09" + "0607" + "81");
        Envelope back = Envelope.decode(bytes);
        assertThat(back.operations()).containsExactlyElementsOf(env.operations());
    }

    @Test
    void emptySequenceIsAValidMessage() throws SiloException {
        assertThat(Envelope.decode(new byte[] {1}).operations()).isEmpty();
    }

    @Test
    void refusesTruncatedAndWrongVersion() {
        assertThatThrownBy(() -> Envelope.decode(new byte[0])).hasMessageContaining("empty");
        assertThatThrownBy(() -> Envelope.decode(new byte[] {2}))
                .isInstanceOfSatisfying(
                        SiloException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_VERSION));
        assertThatThrownBy(() -> Envelope.decode(new byte[] {1, 0x01}))
                .isInstanceOfSatisfying(
                        SiloException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED));
        assertThatThrownBy(() -> Envelope.decode(new byte[] {1, 0x01, 0x01, 0x05, 1, 2}))
                .hasMessageContaining("truncated");
    }

    @Test
    void resultsRoundTrip() throws SiloException {
        Result ok = new Result.Success(0x0101, new byte[] {1, 2});
        Result bad = new Result.Failure(0x0102, ErrorCode.NOT_FOUND, "no such volume: V1");
        for (Result r : List.of(ok, bad)) {
            assertThat(Result.decode(r.encode())).usingRecursiveComparison().isEqualTo(r);
        }
        assertThatThrownBy(() -> Result.decode(new OperationData(1, new byte[] {7})))
                .hasMessageContaining("status 7");
    }
}
