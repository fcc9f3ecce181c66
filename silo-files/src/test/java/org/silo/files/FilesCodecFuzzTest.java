package org.silo.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.silo.wire.SiloException;
import org.silo.wire.codec.WireReader;
import org.silo.wire.codec.WireWriter;
import org.silo.wire.op.Codec;

/**
 * Every decoder of the file access service: random bytes decode or are refused with SiloException,
 * nothing else escapes; what encodes decodes back the same. A longer run:
 * {@code mvn -pl silo-files test -Dtest=FilesCodecFuzzTest -Djqwik.tries.default=1000000}.
 */
class FilesCodecFuzzTest {
    private static final List<Codec<?>> DECODERS = List.of(
            FilesOps.OPEN_REQUEST,
            FilesOps.OPENED,
            FilesOps.HANDLE,
            FilesOps.STAT_REPLY,
            FilesOps.READ_REQUEST,
            FilesOps.WRITE_REQUEST,
            FilesOps.U32,
            FilesOps.CLOSED,
            FilesOps.LEASE_REQUEST,
            FilesOps.LEASE_STATE);

    @Property
    void randomBytesAreDecodedOrRefused(@ForAll @Size(max = 300) byte[] bytes) {
        for (Codec<?> c : DECODERS) {
            try {
                c.decode(new WireReader(bytes));
            } catch (SiloException refused) {
                // a clear refusal is the other allowed outcome
            }
        }
    }

    @Property
    void readsRoundTrip(
            @ForAll @Size(max = 40) byte[] handle,
            @ForAll long offset,
            @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int length)
            throws SiloException {
        FilesOps.Read q = new FilesOps.Read(new FilesOps.Handle(FilesOps.CAPABILITY, handle), offset, length);
        WireWriter w = new WireWriter();
        FilesOps.READ_REQUEST.encode(q, w);
        FilesOps.Read back = FilesOps.READ_REQUEST.decode(new WireReader(w.toByteArray()));
        assertThat(back.handle().bytes()).isEqualTo(handle);
        assertThat(back.offset()).isEqualTo(offset);
        assertThat(back.length()).isEqualTo(length);
    }

    @Property
    void opensAndClosesRoundTrip(
            @ForAll @Size(max = 40) byte[] handle,
            @ForAll long size,
            @ForAll String address,
            @ForAll String name,
            @ForAll String bfid)
            throws SiloException {
        FilesOps.Opened o =
                new FilesOps.Opened(new FilesOps.Handle(FilesOps.INTEGER, handle), size, true, 3, address, name);
        WireWriter w = new WireWriter();
        FilesOps.OPENED.encode(o, w);
        FilesOps.Opened back = FilesOps.OPENED.decode(new WireReader(w.toByteArray()));
        assertThat(back.handle().bytes()).isEqualTo(handle);
        assertThat(back).usingRecursiveComparison().ignoringFields("handle").isEqualTo(o);
        FilesOps.Closed c = new FilesOps.Closed(size, name, bfid, "0000abcd");
        WireWriter cw = new WireWriter();
        FilesOps.CLOSED.encode(c, cw);
        assertThat(FilesOps.CLOSED.decode(new WireReader(cw.toByteArray()))).isEqualTo(c);
    }

    @Test
    void anAccessMethodRoundTrips() throws SiloException {
        FilesOps.Open o = new FilesOps.Open(
                FilesOps.READ,
                FilesOps.CRYPTO,
                List.of(FilesOps.Name.path("/a"), FilesOps.Name.url("http://x/"), FilesOps.Name.app("status", "now")));
        WireWriter w = new WireWriter();
        FilesOps.OPEN_REQUEST.encode(o, w);
        assertThat(FilesOps.OPEN_REQUEST.decode(new WireReader(w.toByteArray())))
                .isEqualTo(o);
    }
}
