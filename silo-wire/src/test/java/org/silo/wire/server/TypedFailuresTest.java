package org.silo.wire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.silo.wire.BusyException;
import org.silo.wire.ErrorCode;
import org.silo.wire.ExistsException;
import org.silo.wire.InvalidException;
import org.silo.wire.NoSpaceException;
import org.silo.wire.NotFoundException;
import org.silo.wire.SessionGoneException;
import org.silo.wire.SiloException;
import org.silo.wire.TestServer;
import org.silo.wire.TimedOutException;
import org.silo.wire.client.SiloClient;
import org.silo.wire.codec.FrameCodec;
import org.silo.wire.op.Codecs;
import org.silo.wire.op.Operation;

/**
 * A failure keeps its type across the wire: a handler's {@link NotFoundException} reaches the caller as
 * a {@link NotFoundException}, so callers branch by catching types, never by testing codes.
 */
class TypedFailuresTest {
    private static final Operation<String, String> FAIL = new Operation<>(0x7F02, "fail", Codecs.UTF8, Codecs.UTF8);

    private static final List<Class<? extends SiloException>> TYPED = List.of(
            NotFoundException.class,
            ExistsException.class,
            NoSpaceException.class,
            BusyException.class,
            InvalidException.class,
            TimedOutException.class,
            SessionGoneException.class);

    @Test
    void everyTypedCodeIsMadeAsItsTypeAndEveryOtherAsTheBase() {
        for (ErrorCode code : ErrorCode.values()) {
            SiloException e = SiloException.of(code, "why");
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).isEqualTo("why");
            boolean typed = TYPED.stream().anyMatch(t -> t.isInstance(e));
            assertThat(typed).as(code.name()).isEqualTo(e.getClass() != SiloException.class);
        }
        assertThat(TYPED)
                .allSatisfy(t -> assertThat(ErrorCode.values())
                        .anySatisfy(c -> assertThat(SiloException.of(c, "")).isInstanceOf(t)));
    }

    @Test
    void aDecodedFailureHasItsCodesType() throws Exception {
        for (ErrorCode code : ErrorCode.values()) {
            if (code == ErrorCode.UNKNOWN) {
                continue;
            }
            SiloException e = FrameCodec.readError(FrameCodec.decode(FrameCodec.encode(new org.silo.wire.codec.Frame(
                    org.silo.wire.WireConstants.FLAG_REPLY | org.silo.wire.WireConstants.FLAG_ERROR,
                    1,
                    2,
                    0,
                    FrameCodec.errorBody(code, "said")))));
            assertThat(e)
                    .as(code.name())
                    .isExactlyInstanceOf(SiloException.of(code, "").getClass());
            assertThat(e.getMessage()).isEqualTo("said");
        }
    }

    @Test
    void aHandlersTypedFailureReachesTheCallerAsThatType() throws Exception {
        try (TestServer server = new TestServer(
                        WireServerConfig.DEFAULTS,
                        d -> d.register(FAIL, (ctx, what) -> {
                            throw switch (what) {
                                case "none" -> SiloException.notFound("no such thing");
                                case "busy" -> new BusyException("in use");
                                case "full" -> SiloException.of(ErrorCode.NO_SPACE, "volume full");
                                default -> SiloException.of(ErrorCode.IO, "disk error");
                            };
                        }));
                SiloClient client = server.client()) {
            assertThatThrownBy(() -> client.call(FAIL, "none"))
                    .isExactlyInstanceOf(NotFoundException.class)
                    .hasMessage("no such thing");
            assertThatThrownBy(() -> client.call(FAIL, "busy"))
                    .isExactlyInstanceOf(BusyException.class)
                    .hasMessage("in use");
            assertThatThrownBy(() -> client.call(FAIL, "full")).isExactlyInstanceOf(NoSpaceException.class);
            assertThatThrownBy(() -> client.call(FAIL, "io"))
                    .isExactlyInstanceOf(SiloException.class)
                    .satisfies(e -> assertThat(((SiloException) e).code()).isEqualTo(ErrorCode.IO));
        }
    }
}
