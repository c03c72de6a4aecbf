package ai.aster.trainer.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The progress bars of the long commands (teach, eval, train, replicate), on the error stream: redrawn in place on a
 * terminal; in a log (stderr redirected, CI) a plain line every {@link #LOG_INTERVAL_MILLIS}, so the log holds no
 * carriage returns and no line per second.
 */
public final class ProgressBars {

    static final int LOG_INTERVAL_MILLIS = 30_000;

    private ProgressBars() {}

    /** A bar for {@code task} on {@code err}, for a terminal when the process has one. */
    public static ProgressBarBuilder on(PrintStream err, String task) {
        return on(err, task, terminal());
    }

    /**
     * Whether the process runs on a terminal. From JDK 22 a console exists even when redirected and
     * {@code isTerminal()} tells (called reflectively: the code is compiled for release 21, where a console exists
     * only on a terminal).
     */
    private static boolean terminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    /** A bar for {@code task} on {@code err}: redrawn in place when {@code terminal}, else a line at a time. */
    static ProgressBarBuilder on(PrintStream err, String task, boolean terminal) {
        ProgressBarBuilder builder = new ProgressBarBuilder().setTaskName(task).setStyle(ProgressBarStyle.ASCII);
        if (terminal) {
            return builder.setConsumer(new ConsoleProgressBarConsumer(err)).continuousUpdate();
        }
        return builder.setConsumer(new DelegatingProgressBarConsumer(line -> err.println(line.strip())))
                .setUpdateIntervalMillis(LOG_INTERVAL_MILLIS);
    }
}
