package org.silo.control.text;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class TextCodecTest {

    @Test
    void blankLinesInsideAMessageAreASpace() {
        // seed 004: "if you need a blank line, use \r\n \r\n"
        TextMessage m = TextMessage.of("INFO", "file", "/a")
                .line("description", "first paragraph")
                .line()
                .line("second");
        String text = TextCodec.encode(m);
        assertThat(text).isEqualTo("INFO\tfile\t/a\r\ndescription\tfirst paragraph\r\n \r\nsecond\r\n\r\n");
        assertThat(TextCodec.parse(text.substring(0, text.length() - 4)))
                .isEqualTo(TextMessage.of("INFO", "file", "/a")
                        .line("description", "first paragraph")
                        .line("")
                        .line("second"));
    }

    @Test
    void fieldsCannotBreakTheFraming() {
        assertThat(TextCodec.encode(TextMessage.of("ERROR", "400", "a\tb\r\nc")))
                .isEqualTo("ERROR\t400\ta b  c\r\n\r\n");
    }

    @Test
    void theDecoderSplitsAtTheFirstEmptyLineWhateverTheLineEnds() {
        EmbeddedChannel ch = new EmbeddedChannel(new TextFrameDecoder());
        ch.writeInbound(Unpooled.copiedBuffer("A\tb\r\nc\r\n\r\nB\n\nC\r\n", StandardCharsets.UTF_8));
        ch.writeInbound(Unpooled.copiedBuffer("\r\n", StandardCharsets.UTF_8));
        assertThat((String) ch.readInbound()).isEqualTo("A\tb\r\nc");
        assertThat((String) ch.readInbound()).isEqualTo("B");
        assertThat((String) ch.readInbound()).isEqualTo("C");
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void blankLinesBetweenMessagesAreNotPartOfTheNext() {
        // three line ends then a message, in one segment and in two: the message keeps its verb
        for (String[] parts :
                new String[][] {{"\r\n\r\n\r\nCAPAB\r\n\r\n"}, {"\r\n\r\n\r\n", "CAPAB\r\n\r\n"}, {"\n", "\nCAPAB\n\n"}
                }) {
            EmbeddedChannel ch = new EmbeddedChannel(new TextFrameDecoder());
            for (String p : parts) {
                ch.writeInbound(Unpooled.copiedBuffer(p, StandardCharsets.UTF_8));
            }
            assertThat((String) ch.readInbound()).isEqualTo("CAPAB");
            assertThat((Object) ch.readInbound()).isNull();
            ch.finishAndReleaseAll();
        }
    }

    /** Random bytes never throw out of the decoder or the parser. */
    @Property(tries = 500)
    void anyBytesAreSafe(@ForAll byte[] bytes) {
        EmbeddedChannel ch = new EmbeddedChannel(new TextFrameDecoder());
        ch.writeInbound(Unpooled.wrappedBuffer(bytes));
        ch.writeInbound(Unpooled.copiedBuffer("\r\n\r\n", StandardCharsets.UTF_8));
        Object o;
        while ((o = ch.readInbound()) != null) {
            if (o instanceof String s) {
                assertThat(TextCodec.parse(s).verb()).isNotNull();
            }
        }
        ch.finishAndReleaseAll();
    }

    @Test
    void onlyTheVerbIsUpperCased() {
        assertThat(TextCodec.parse("whatis\tFile\t/Exp/x")).isEqualTo(TextMessage.of("WHATIS", "File", "/Exp/x"));
        assertThat(TextCodec.parse(" whatis file /Exp/x ").verb())
                .as("typed with spaces: the rest as typed")
                .isEqualTo("WHATIS file /Exp/x");
    }

    @Test
    void anEmptyLineListIsFine() {
        assertThat(TextCodec.parse("SLIST").lines()).isEqualTo(List.of());
    }
}
