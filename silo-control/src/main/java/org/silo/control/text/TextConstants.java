package org.silo.control.text;

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

    // server to client
    public static final String IDENT = "IDENT";
    public static final String OK = "OK";
    public static final String SLIST = "SLIST";
    public static final String QLIST = "QLIST";
    public static final String QOK = "QOK";
    public static final String INFO = "INFO";
    public static final String ERROR = "ERROR";

    // error codes (HTTP-like, so people recognise them)
    public static final int BAD_REQUEST = 400;
    public static final int LOGIN_NEEDED = 401;
    public static final int REFUSED = 403;
    public static final int NOT_FOUND = 404;
    public static final int TOO_LONG = 413;
    public static final int FAILED = 500;

    /** Client types of the ID message. */
    public enum ClientType { DISPLAY, COMMAND, WORKER }
}
