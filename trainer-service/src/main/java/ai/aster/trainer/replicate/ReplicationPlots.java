package ai.aster.trainer.replicate;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * The report's PNG plots (xchart, headless, as the training curves are drawn), written beside the report: held-out
 * accuracy over RL steps per setting, tool calls per trajectory over RL steps per setting, and accuracy by
 * difficulty level per setting after RL.
 */
final class ReplicationPlots {

    /** The files written, by what they show. */
    record Written(Path accuracy, Path toolCalls, Path byLevel) {}

    private ReplicationPlots() {}

    static Written draw(ReplicationResults r, Path dir, String prefix) throws IOException {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        Files.createDirectories(dir);
        Written files = new Written(dir.resolve(prefix + "-accuracy.png"), dir.resolve(prefix + "-tool-calls.png"),
                dir.resolve(prefix + "-by-level.png"));
        XYChart accuracy = lines("Held-out avg@" + r.settings().eval().k() + " over RL steps", "avg@k (%)");
        XYChart tools = lines("Tool calls per trajectory over RL steps", "tool calls");
        for (ReplicationResults.SettingResult s : r.settingResults()) {
            double[] steps = s.points().stream().mapToDouble(EvalPoint::step).toArray();
            add(accuracy, s.label(), steps, s.points().stream().mapToDouble(p -> 100 * p.avgAtK()).toArray());
            add(tools, s.label(), steps, s.points().stream().mapToDouble(EvalPoint::toolCalls).toArray());
        }
        // fixed ranges: an all-zero curve reads as zero, not as a line in the middle of an unlabelled axis
        accuracy.getStyler().setYAxisMin(0.0).setYAxisMax(100.0);
        double mostCalls = r.settingResults().stream().flatMap(s -> s.points().stream())
                .mapToDouble(EvalPoint::toolCalls).max().orElse(0);
        tools.getStyler().setYAxisMin(0.0).setYAxisMax(Math.max(1.0, Math.ceil(mostCalls * 1.1)));
        write(accuracy, files.accuracy());
        write(tools, files.toolCalls());

        CategoryChart levels = new CategoryChartBuilder().width(640).height(400)
                .title("Held-out accuracy by difficulty level, after RL").xAxisTitle("level").yAxisTitle("accuracy (%)")
                .build();
        levels.getStyler().setChartBackgroundColor(Color.WHITE);
        levels.getStyler().setYAxisMin(0.0).setYAxisMax(100.0);
        TreeSet<Integer> all = new TreeSet<>();
        r.settingResults().forEach(s -> all.addAll(s.last().byLevel().keySet()));
        List<String> names = all.stream().map(l -> "level " + l).toList();
        for (ReplicationResults.SettingResult s : r.settingResults()) {
            List<Double> values = new ArrayList<>();
            for (int level : all) {
                values.add(100 * s.last().byLevel().getOrDefault(level, 0.0));
            }
            levels.addSeries(s.label(), names, values);
        }
        write(levels, files.byLevel());
        return files;
    }

    private static XYChart lines(String title, String yTitle) {
        XYChart chart = new XYChartBuilder().width(640).height(400).title(title).xAxisTitle("RL step")
                .yAxisTitle(yTitle).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE).setLegendVisible(true);
        return chart;
    }

    private static void add(XYChart chart, String name, double[] x, double[] y) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.CIRCLE);
    }

    /** Written to a temporary name, then renamed: a reader never sees half a PNG. */
    private static void write(Chart<?, ?> chart, Path png) throws IOException {
        Path temp = png.resolveSibling("." + png.getFileName() + ".tmp.png");
        BitmapEncoder.saveBitmap(chart, temp.toString(), BitmapEncoder.BitmapFormat.PNG);
        Files.move(temp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
