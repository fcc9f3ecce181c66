package org.silo.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code silo} command: the server and every client command. */
@Command(name = "silo",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Silo: a network storage system: an archive of volumes, disk images over Blockhead and NBD,",
            "file access, and control, all on one message layer.",
            ""
        },
        footer = {
            "",
            "Examples:",
            "  silo server                      run everything, data in ./silo-data, on loopback",
            "  silo ping                        measure round trips to localhost:7400",
            "  silo status --server host:7400   the status of another server",
            "  silo disk create retro --size 64M  a disk image for qemu (NBD) or a retro machine (Blockhead)",
            "  silo vol ls                       the archive's volumes",
            "  silo mkdir /data && silo put notes.txt /data/   archive a file, checksummed",
            "",
            "Client commands find the server in --server HOST:PORT, then $SILO_SERVER, then localhost:7400.",
            "Run 'silo COMMAND --help' for a command's options and examples."
        },
        subcommands = {
            ServerCommand.class,
            PingCommand.class,
            StatusCommand.class,
            DiskCommand.class,
            VolCommand.class,
            NsCommands.Ls.class,
            NsCommands.Stat.class,
            NsCommands.MkdirCmd.class,
            NsCommands.MvCmd.class,
            NsCommands.RmCmd.class,
            TransferCommands.Put.class,
            TransferCommands.Get.class,
            JobCommand.class,
            MoverCommand.class,
            FsckCommand.class,
            RepackCommand.class,
            BackupCommand.class,
            BackupRestoreCommand.class,
            LoginCommand.class,
            LogoutCommand.class,
            UserCommand.class,
            AclCommand.class,
            FileCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

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
        System.exit(run(args));
    }

    /** Runs a command line and returns the exit status (tests call this directly). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main()).setUsageHelpWidth(100);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("silo: " + Failures.describe(e));
            return Failures.exitCode(e);
        });
        return cl.execute(args);
    }
}
