package org.silo.archive.volume;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.silo.wire.SiloException;

/**
 * The state of a volume and the changes allowed between states.
 *
 * <pre>
 *            set_system_readonly            set_remaining_bytes 0 / append fills it
 *   ┌──────── readonly ◄─────── ok ──────────────────────► full
 *   │            │  ▲          ▲ │ ▲ set_hung                 │
 *   │            │  └──────────┘ │ └──── hung ──────┐         │
 *   │            ▼               ▼                  ▼         ▼
 *   └───────────────────────► noaccess ◄────────────┴─────────┘
 *            (admin, or failures on three different movers: suspect volume)
 * </pre>
 *
 * Only {@code ok} volumes are written; {@code ok}, {@code readonly} and {@code full} volumes are read;
 * {@code noaccess} and {@code hung} volumes are neither, until an administrator sets them ok again.
 */
public enum VolumeState {
    OK,
    READONLY,
    FULL,
    NOACCESS,
    HUNG;

    private static final Map<VolumeState, Set<VolumeState>> NEXT = Map.of(
            OK, EnumSet.of(READONLY, FULL, NOACCESS, HUNG),
            READONLY, EnumSet.of(OK, FULL, NOACCESS, HUNG),
            FULL, EnumSet.of(OK, READONLY, NOACCESS, HUNG),
            NOACCESS, EnumSet.of(OK, READONLY),
            HUNG, EnumSet.of(OK, READONLY, NOACCESS));

    /** Whether a volume in this state may change to {@code to} (a change to the same state is allowed). */
    public boolean canBecome(VolumeState to) {
        return to == this || NEXT.get(this).contains(to);
    }

    public boolean writable() {
        return this == OK;
    }

    public boolean readable() {
        return this == OK || this == READONLY || this == FULL;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a state name, case-insensitively, with an error that lists the valid ones. */
    public static VolumeState parse(String s) throws SiloException {
        if (s != null) {
            for (VolumeState v : values()) {
                if (v.wireName().equalsIgnoreCase(s.trim())) {
                    return v;
                }
            }
        }
        throw SiloException.invalid("unknown volume state '" + s + "': use ok, readonly, full, noaccess or hung");
    }
}
