package org.silo.archive.mover;

import org.silo.archive.ops.VolumeMessages.SetState;
import org.silo.wire.SiloException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seed 000's set_system_readonly, as Enstore's movers send it: a volume that failed a write (an I/O
 * error, or bytes that did not read back as written) takes no more writes until an administrator sets it
 * {@code ok} again ({@code silo vol state LABEL ok}); its files still read. A full volume is not a write
 * error: the mover reports its real remaining bytes instead (set_remaining_bytes, docs/archive.md
 * "Full volumes").
 */
final class VolumeReadonly {
    private static final Logger log = LoggerFactory.getLogger(VolumeReadonly.class);

    private VolumeReadonly() {}

    /** Marks {@code volume} readonly after a write error; a volume that cannot be (it is noaccess, say) stays as it is. */
    static void afterWriteError(JobHost host, String volume, String error) {
        String reason = "write error by mover " + host.name() + ": "
                + (error.length() > 500 ? error.substring(0, 500) + "..." : error);
        try {
            host.link().setSystemReadonly(new SetState(volume, reason, "mover " + host.name()));
            log.warn("mover {}: volume {} set readonly after a write error: {}", host.name(), volume, error);
        } catch (SiloException e) {
            log.info("mover {}: volume {} not set readonly ({}) after: {}", host.name(), volume, e.getMessage(), error);
        }
    }
}
