package ai.aster.trainer.eval;

import java.io.PrintStream;
import ai.aster.trainer.cli.ProgressBars;
import me.tongfei.progressbar.ProgressBar;

/** A progress bar ({@link ProgressBars}) with the rate, the ETA and the running share of correct samples. */
public final class ConsoleProgress implements EvalProgress, AutoCloseable {

    private final String task;
    private final PrintStream stream;
    private ProgressBar bar;
    private int correct;
    private int done;

    public ConsoleProgress(String task, PrintStream stream) {
        this.task = task;
        this.stream = stream;
    }

    @Override
    public void started(int total, int already, int alreadyCorrect) {
        correct = alreadyCorrect;
        done = already;
        bar = ProgressBars.on(stream, task).setInitialMax(total)
                // a sample takes seconds to minutes: the rate reads best per minute
                .showSpeed(new java.text.DecimalFormat("0.0")).setSpeedUnit(java.time.temporal.ChronoUnit.MINUTES)
                .setUnit(" samples", 1).build();
        bar.stepTo(already);
        bar.setExtraMessage(message());
    }

    @Override
    public void sampleDone(SampleOutcome sample) {
        done++;
        if (sample.correct()) {
            correct++;
        }
        bar.step();
        bar.setExtraMessage(message());
    }

    private String message() {
        return " correct " + correct + "/" + done;
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
