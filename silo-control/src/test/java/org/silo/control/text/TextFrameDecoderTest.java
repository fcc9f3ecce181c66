package org.silo.control.text;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Framing in memory, with the input cut at the awkward places a TCP stream may cut it. */
class TextFrameDecoderTest {
    private static void write(EmbeddedChannel ch, int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        ch.writeInbound(Unpooled.wrappedBuffer(b));
    }

    private static void write(EmbeddedChannel ch, String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    @Test
    void aCharacterSplitAcrossReadsIsNotMalformed() {
        EmbeddedChannel ch = new EmbeddedChannel(new TextFrameDecoder());
        write(ch, "WHATIS\tfile\t/caf");
        write(ch, 0xc3); // the first byte of 'é'
        assertThat(ch.<Object>readInbound()).as("nothing yet, and no error").isNull();
        write(ch, 0xa9, '\r', '\n', '\r', '\n');
        assertThat(ch.<Object>readInbound()).isEqualTo("WHATIS\tfile\t/café");
        assertThat(ch.finish()).isFalse(); // nothing left over
    }

    @Test
    void aMalformedMessageIsReportedOnceAndDroppedThroughItsTerminatorWhereverTheReadsCut() {
        EmbeddedChannel ch = new EmbeddedChannel(new TextFrameDecoder());
        write(ch, "ID\tx");
        write(ch, 0xff);
        assertThat(ch.<Object>readInbound())
                .isEqualTo(new TextFrameDecoder.Malformed(
                        "the message is not UTF-8 (a bad sequence at byte 4): send UTF-8 text"));
        write(ch, "more\0 and more\r\n\r"); // the terminator cut in two: still the same message
        assertThat(ch.<Object>readInbound()).as("reported once").isNull();
        write(ch, "\nCAPAB\n\n");
        assertThat(ch.<Object>readInbound()).isEqualTo("CAPAB");
        write(ch, "A\0");
        assertThat(ch.<Object>readInbound()).isInstanceOf(TextFrameDecoder.Malformed.class);
        write(ch, "\n");
        write(ch, "\n");
        write(ch, "QUIT\r\n\r\n");
        assertThat(ch.<Object>readInbound()).isEqualTo("QUIT");
        assertThat(ch.finish()).isFalse();
    }
}
