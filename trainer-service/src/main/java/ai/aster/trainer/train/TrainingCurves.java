package ai.aster.trainer.train;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws a job's step log as PNG line charts (xchart, headless), one file per chart in the job folder: the grouped
 * curves below when their keys occur, {@code step_time} (seconds by phase), and one chart for every other metric
 * key the records carry. Each file is written to a temporary name and renamed, so a reader never sees half a PNG.
 */
public final class TrainingCurves {

    /** Chart name and the metric keys drawn on it, in order; a chart is drawn when any of its keys occurs. */
    private static final Map<String, List<String>> GROUPS = groups();

    public static final String STEP_TIME = "step_time";

    private static Map<String, List<String>> groups() {
        Map<String, List<String>> g = new LinkedHashMap<>();
        g.put("loss", List.of("loss"));
        g.put("grad_norm", List.of("grad_norm"));
        g.put("lr", List.of("lr"));
        g.put("reward", List.of("reward_mean", "accuracy"));
        g.put("tool_calls", List.of("tool_calls_mean"));
        g.put("response_tokens", List.of("response_tokens_mean"));
        g.put("policy", List.of("clip_fraction", "approx_kl", "entropy"));
        return g;
    }

    public TrainingCurves() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true"); // a server: no display, AWT must not look for one
        }
    }

    /** The chart names {@link #draw} writes for these records, in drawing order. */
    public static List<String> names(List<StepRecord> records) {
        Set<String> keys = new LinkedHashSet<>();
        boolean phases = false;
        for (StepRecord r : records) {
            keys.addAll(r.metrics().keySet());
            phases |= !r.seconds().isEmpty();
        }
        List<String> names = new ArrayList<>();
        Set<String> grouped = new LinkedHashSet<>();
        GROUPS.forEach((name, members) -> {
            grouped.addAll(members);
            if (members.stream().anyMatch(keys::contains)) {
                names.add(name);
            }
        });
        if (phases) {
            names.add(STEP_TIME);
        }
        keys.stream().filter(k -> !grouped.contains(k)).filter(k -> k.matches("[a-z0-9_]+")).sorted()
                .forEach(names::add);
        return names;
    }

    /** Writes every chart of {@link #names} into {@code folder}. */
    public void draw(JobFolder folder, String jobId, List<StepRecord> records) {
        for (String name : names(records)) {
            Map<String, double[][]> series = new LinkedHashMap<>();
            if (STEP_TIME.equals(name)) {
                Set<String> phaseNames = new LinkedHashSet<>();
                records.forEach(r -> phaseNames.addAll(r.seconds().keySet()));
                for (String phase : phaseNames) {
                    series.put(phase, points(records, r -> r.seconds().get(phase)));
                }
            } else {
                for (String key : GROUPS.getOrDefault(name, List.of(name))) {
                    double[][] p = points(records, r -> r.metrics().get(key));
                    if (p[0].length > 0) {
                        series.put(key, p);
                    }
                }
            }
            write(folder.curve(name), chart(jobId + ": " + name, STEP_TIME.equals(name) ? "seconds" : name, series));
        }
    }

    private static double[][] points(List<StepRecord> records, java.util.function.Function<StepRecord, Double> value) {
        List<double[]> kept = new ArrayList<>();
        for (StepRecord r : records) {
            Double v = value.apply(r);
            if (v != null && Double.isFinite(v)) {
                kept.add(new double[] {r.step(), v});
            }
        }
        double[][] out = new double[2][kept.size()];
        for (int i = 0; i < kept.size(); i++) {
            out[0][i] = kept.get(i)[0];
            out[1][i] = kept.get(i)[1];
        }
        return out;
    }

    private static XYChart chart(String title, String yTitle, Map<String, double[][]> series) {
        XYChart chart = new XYChartBuilder().width(640).height(400).title(title).xAxisTitle("step").yAxisTitle(yTitle)
                .build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE).setLegendVisible(series.size() > 1);
        boolean any = false;
        for (Map.Entry<String, double[][]> e : series.entrySet()) {
            double[][] p = e.getValue();
            if (p[0].length == 0) {
                continue;
            }
            XYSeries s = chart.addSeries(e.getKey(), p[0], p[1]);
            s.setMarker(p[0].length > 50 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
            any = true;
        }
        if (!any) {
            chart.addSeries("(no data)", new double[] {0}, new double[] {0});
        }
        return chart;
    }

    private static void write(Path png, XYChart chart) {
        Path temp = png.resolveSibling("." + png.getFileName() + ".tmp.png");
        try {
            BitmapEncoder.saveBitmap(chart, temp.toString(), BitmapEncoder.BitmapFormat.PNG);
            JobFolder.writeAtomically(png, Files.readAllBytes(temp));
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png, e);
        }
    }
}
