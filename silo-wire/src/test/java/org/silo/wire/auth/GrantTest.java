package org.silo.wire.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The text form of a grant, SERVICE:PREFIX:RIGHT, and what it allows. */
class GrantTest {
    @Test
    void parsesTheThreeParts() {
        assertThat(Grant.parse("block:retro:write")).isEqualTo(new Grant("block", "retro", Right.WRITE));
        assertThat(Grant.parse("archive::read")).isEqualTo(new Grant("archive", "", Right.READ));
        assertThat(Grant.parse("*::ADMIN")).isEqualTo(Grant.ALL);
    }

    /** Issue 12: the archive's objects vol:LABEL and mover: hold a colon; their grants must be writable. */
    @Test
    void aPrefixMayHoldColons() {
        Grant volume = Grant.parse("archive:vol:DEF001:write");
        assertThat(volume).isEqualTo(new Grant("archive", "vol:DEF001", Right.WRITE));
        assertThat(volume.allows("archive", "vol:DEF001", Right.WRITE)).isTrue();
        assertThat(volume.allows("archive", "vol:DEF002", Right.WRITE)).isFalse();
        assertThat(Grant.parse("archive:mover::write")).isEqualTo(new Grant("archive", "mover:", Right.WRITE));
        assertThat(Grant.parse(volume.toString())).as("round trip").isEqualTo(volume);
    }

    @Test
    void badGrantsSayWhatIsWrong() {
        assertThatThrownBy(() -> Grant.parse("block")).hasMessageContaining("SERVICE:PREFIX:RIGHT");
        assertThatThrownBy(() -> Grant.parse("block:write")).hasMessageContaining("SERVICE:PREFIX:RIGHT");
        assertThatThrownBy(() -> Grant.parse(":x:read")).hasMessageContaining("SERVICE:PREFIX:RIGHT");
        assertThatThrownBy(() -> Grant.parse("block:x:rule")).hasMessageContaining("'rule' is not a right");
    }
}
