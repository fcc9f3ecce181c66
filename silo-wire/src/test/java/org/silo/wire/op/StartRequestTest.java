package org.silo.wire.op;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.silo.wire.WireConstants;
import org.silo.wire.codec.WireReader;
import org.silo.wire.codec.WireWriter;

/**
 * START's request data (docs/protocol.md §4):
 *
 * <pre>
 *  BER length + cookie | u64 client id (0: none) | padding (zeros)
 * </pre>
 */
class StartRequestTest {

    private static SessionOps.StartRequest roundTrip(byte[] cookie, long clientId, int padding) throws Exception {
        WireWriter w = new WireWriter();
        SessionOps.START_REQUEST.encode(new SessionOps.StartRequest(cookie, clientId), w);
        w.bytes(new byte[padding]);
        WireReader r = new WireReader(w.toByteArray());
        SessionOps.StartRequest back = SessionOps.START_REQUEST.decode(r);
        assertThat(r.remaining()).as("nothing left over").isZero();
        return back;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 0x7fffffffffffffffL, -1, Long.MIN_VALUE, 0x0102030405060708L})
    void theClientIdFollowsTheCookie(long id) throws Exception {
        byte[] cookie = {9, 8, 7};
        SessionOps.StartRequest back = roundTrip(cookie, id, 200);
        assertThat(back.cookie()).containsExactly(9, 8, 7);
        assertThat(back.clientId()).isEqualTo(id);
        assertThat(roundTrip(new byte[0], id, 0).clientId()).as("unpadded").isEqualTo(id);
    }

    @Test
    void theBytesAreTheCookieThenTheIdBigEndian() {
        WireWriter w = new WireWriter();
        SessionOps.START_REQUEST.encode(new SessionOps.StartRequest(new byte[] {5}, 0x0102030405060708L), w);
        assertThat(w.toByteArray()).containsExactly(1, 5, 1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(WireConstants.CLIENT_ID_SIZE).isEqualTo(8);
    }

    @Test
    void aStartWithoutAnIdReadsAsNone() throws Exception {
        // a client that sends no id pads its START with zeros, or sends nothing after the cookie at all
        WireWriter padded = new WireWriter().lengthPrefixed(new byte[0]).bytes(new byte[240]);
        assertThat(SessionOps.START_REQUEST
                        .decode(new WireReader(padded.toByteArray()))
                        .clientId())
                .isZero();
        WireWriter bare = new WireWriter().lengthPrefixed(new byte[] {1, 2});
        assertThat(SessionOps.START_REQUEST
                        .decode(new WireReader(bare.toByteArray()))
                        .clientId())
                .isZero();
        WireWriter short7 = new WireWriter().lengthPrefixed(new byte[0]).bytes(new byte[] {1, 1, 1, 1, 1, 1, 1});
        assertThat(SessionOps.START_REQUEST
                        .decode(new WireReader(short7.toByteArray()))
                        .clientId())
                .as("fewer than 8 octets after the cookie are padding")
                .isZero();
    }
}
