package org.silo.control.text;

import java.util.List;

/**
 * The control protocol of seed 004, in one place (docs/control-protocol.md):
 *
 * <pre>
 * message = line *( CRLF line ) CRLF CRLF      ; a message ends at the first empty line
 * line    = field *( TAB field )               ; UTF-8; " " alone stands for an empty line inside
 * first field of the first line: the verb
 * </pre>
 */
public final class TextConstants {
    private TextConstants() {}

    public static final String VERSION = "silo-text/1";
    public static final int DEFAULT_PORT = 7401;
    public static final int MAX_MESSAGE = 64 * 1024;
    public static final int IDLE_SECONDS = 600;

    public static final String CRLF = "\r\n";
    public static final String TERMINATOR = "\r\n\r\n";
    /** Seed 004: "if you need a blank line, use \r\n \r\n". */
    public static final String BLANK_LINE = " ";

    // client to server
    public static final String ID = "ID";
    public static final String CAPAB = "CAPAB";
    public static final String ASKCAPAB = "ASKCAPAB";
    public static final String SREPORT = "SREPORT";
    public static final String QREPORT = "QREPORT";
    public static final String QUEUE = "QUEUE";
    public static final String CLEAR = "CLEAR";
    public static final String WHATIS = "WHATIS";
    public static final String NAME = "NAME";
    public static final String LOGIN = "LOGIN";
    public static final String QUIT = "QUIT";
    public static final String CAP = "CAP";
    public static final String STATUS = "STATUS";
    public static final String HELP = "HELP";

    // server to client
    public static final String IDENT = "IDENT";
    public static final String OK = "OK";
    public static final String SLIST = "SLIST";
    public static final String QLIST = "QLIST";
    public static final String QOK = "QOK";
    public static final String INFO = "INFO";
    public static final String ERROR = "ERROR";
    public static final String VERBS = "VERBS";

    // error codes (HTTP-like, so people recognise them)
    public static final int BAD_REQUEST = 400;
    public static final int LOGIN_NEEDED = 401;
    public static final int REFUSED = 403;
    public static final int NOT_FOUND = 404;
    public static final int TOO_LONG = 413;
    public static final int FAILED = 500;

    /** A verb a client sends: its fields (as HELP shows them) and what it does. */
    public record Verb(String name, String fields, String what) {}

    /**
     * Every verb a client may send, in the order HELP lists them. The session answers these and no others
     * ("unknown verb" otherwise), so HELP cannot list a verb the server does not know, nor leave one out.
     */
    public static final List<Verb> CLIENT_VERBS = List.of(
            new Verb(ID, "id display|command|worker [V]version", "say who you are"),
            new Verb(CAPAB, "", "what this server can do"),
            new Verb(ASKCAPAB, "", "what each connected worker can do"),
            new Verb(SREPORT, "", "the workers' and movers' status"),
            new Verb(QREPORT, "", "the queue of jobs"),
            new Verb(QUEUE, "HASH | copy FILE [VOLUME] | verify VOLUME", "queue a copy or a verify"),
            new Verb(CLEAR, "", "cancel every queued job"),
            new Verb(
                    WHATIS,
                    "volume|file|image|worker NAME",
                    "describe a volume, an archive file, an image or what a worker holds"),
            new Verb(NAME, "id name", "give a worker a friendly name"),
            new Verb(LOGIN, "list password", "log in to an access list"),
            new Verb(HELP, "", "this list"),
            new Verb(QUIT, "", "close the connection"),
            new Verb(CAP, "capability...", "(worker) what you can do"),
            new Verb(STATUS, "state percent detail", "(worker) your progress"),
            new Verb(
                    INFO,
                    "(then one line per thing: kind name [detail])",
                    "(worker) what you hold: the answer to WHATIS"));

    /** The first field of HELP's answer: the two rules a person at ncat most needs. */
    public static final String HELP_RULES = "fields are separated by tabs; a message ends with an empty line";

    /** Client types of the ID message. */
    public enum ClientType {
        DISPLAY,
        COMMAND,
        WORKER
    }
}
