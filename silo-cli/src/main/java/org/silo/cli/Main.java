package org.silo.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import org.silo.wire.IoThreads;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code silo} command: the server and every client command. */
@Command(
        name = "silo",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Silo is a network storage system.",
            "An archive of volumes, disk images over Blockhead and NBD, file access, and control, all on one"
                    + " message layer.",
            ""
        },
        footer = {
            "",
            "Examples:",
            "  silo server                     everything, on loopback, data in ./silo-data",
            "  silo ping                       measure round trips to localhost:7400",
            "  silo status --server host:7400  the status of another server",
            "  silo disk create retro --size 64M",
            "                                  a disk image for qemu (NBD) or Blockhead",
            "  silo vol ls                     the archive's volumes",
            "  silo mkdir /data && silo put notes.txt /data/",
            "                                  archive a file, checksummed",
            "",
            "Client commands find the server in --server HOST:PORT, then $SILO_SERVER,",
            "then localhost:7400.",
            "Run 'silo COMMAND --help' for a command's options and examples."
        })
public final class Main implements Runnable {

    /**
     * Every top-level command by its name, in the order 'silo --help' lists them. They are not in the
     * annotation's {@code subcommands}: picocli would then build the model of all of them (reflection
     * over some sixty classes, most of the start-up time) for every run. {@link #run} adds only the one
     * named on the command line, or all of them where help or a suggestion needs them.
     * {@code MainTest} checks that each name is the one the class declares.
     */
    static final Map<String, Class<?>> COMMANDS = commands();

    private static Map<String, Class<?>> commands() {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        m.put("server", ServerCommand.class);
        m.put("ping", PingCommand.class);
        m.put("status", StatusCommand.class);
        m.put("disk", DiskCommand.class);
        m.put("vol", VolCommand.class);
        m.put("ls", NsCommands.Ls.class);
        m.put("stat", NsCommands.Stat.class);
        m.put("mkdir", NsCommands.MkdirCmd.class);
        m.put("mv", NsCommands.MvCmd.class);
        m.put("rm", NsCommands.RmCmd.class);
        m.put("put", TransferCommands.Put.class);
        m.put("get", TransferCommands.Get.class);
        m.put("job", JobCommand.class);
        m.put("mover", MoverCommand.class);
        m.put("fsck", FsckCommand.class);
        m.put("repack", RepackCommand.class);
        m.put("backup", BackupCommand.class);
        m.put("restore", BackupRestoreCommand.class);
        m.put("login", LoginCommand.class);
        m.put("logout", LogoutCommand.class);
        m.put("user", UserCommand.class);
        m.put("acl", AclCommand.class);
        m.put("file", FileCommand.class);
        m.put("help", CommandLine.HelpCommand.class);
        return m;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        boolean server = args.length > 0 && args[0].equals("server");
        if (!server && System.getProperty("silo.log") == null) {
            System.setProperty("silo.log", "WARN"); // client commands: only trouble goes to stderr
        }
        boolean longLived = server || args.length > 0 && args[0].equals("mover");
        if (!longLived && System.getProperty(IoThreads.PROPERTY) == null) {
            System.setProperty(IoThreads.PROPERTY, "platform"); // a short-lived process exits 0.3 s sooner (IoThreads)
        }
        System.exit(run(args));
    }

    /** Runs a command line and returns the exit status (tests call this directly). */
    /**
     * Whether standard error is a terminal, for progress lines: bin/silo says so (SILO_STDERR_TTY, from
     * {@code [ -t 2 ]}), as Java cannot tell (on JDK 22 and later System.console() is not null even when
     * the output goes to a file or a pipe).
     */
    static boolean stderrIsTerminal() {
        return "1".equals(System.getenv("SILO_STDERR_TTY"));
    }

    public static int run(String... args) {
        return commandLine(Usage::terminalWidth, args).execute(args);
    }

    /**
     * The command tree a command line needs ({@link #commandsFor}), with help laid out at the width
     * {@code helpWidth} gives when help is printed (HelpTest lays every command out at 80 and 120).
     */
    static CommandLine commandLine(IntSupplier helpWidth, String... args) {
        CommandLine cl = new CommandLine(new Main());
        for (Class<?> command : commandsFor(args)) {
            cl.addSubcommand(command);
        }
        // set after the subcommands are added: picocli hands these settings down to those present
        cl.setHelpFactory(Usage.helpAt(helpWidth));
        cl.setParameterExceptionHandler(Usage::mistake);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("silo: " + Failures.describe(e));
            return Failures.exitCode(e);
        });
        return cl;
    }

    /** Every command, with help laid out 80 wide: what the man pages and the shell completion are made from (silo-dist). */
    public static CommandLine allCommands() {
        return commandLine(() -> 80, "help");
    }

    /**
     * The commands a command line needs: the one it names; none for a bare --version; all of them for
     * 'silo', 'silo --help', 'silo help ...' and anything unknown (the usage lists them, and picocli's
     * "did you mean" suggests among them).
     */
    static List<Class<?>> commandsFor(String... args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            return List.of();
        }
        Class<?> named = args.length > 0 && !args[0].equals("help") ? COMMANDS.get(args[0]) : null;
        return named != null ? List.of(named) : List.copyOf(COMMANDS.values());
    }
}
