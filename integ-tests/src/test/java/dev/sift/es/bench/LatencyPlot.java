package dev.sift.es.bench;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Draws {@link NodeBench}'s plots with XChart: server {@code took} against window size, one panel per selection
 * size, log-log, medians solid and p99 dashed; and the ratio of each median client wall time to kNN alone (finer
 * than {@code took}'s whole milliseconds), with the targets (1.25 at window 100, 2.0 at window 1000) as reference
 * lines. All panels of a plot share one y range, so that they compare; they are laid side by side in one PNG.
 */
final class LatencyPlot {

    private static final int PANEL_W = 560;
    private static final int PANEL_H = 560;
    private static final Color[] COLORS = {
        new Color(90, 90, 90), // kNN
        new Color(31, 119, 180), // sift
        new Color(174, 199, 232), // sift, selected hits only
        new Color(255, 127, 14), // mmr
        new Color(44, 160, 44), // nearest
        new Color(148, 103, 189), // retriever
        new Color(214, 39, 40), // diversify
        new Color(140, 86, 75), // knn query alone
        new Color(23, 190, 207) // knn query + sift
    };
    private static final Color REFERENCE = new Color(200, 60, 60);

    private LatencyPlot() {}

    static void write(
        Map<NodeBench.Config, Map<NodeBench.Variant, NodeBench.Cell>> cells,
        List<NodeBench.Variant> variants,
        int[] sizes,
        int[] windows,
        Path latencyPng,
        Path ratioPng
    ) throws IOException {
        draw(cells, variants, sizes, windows, latencyPng, false);
        draw(cells, variants, sizes, windows, ratioPng, true);
    }

    private static void draw(
        Map<NodeBench.Config, Map<NodeBench.Variant, NodeBench.Cell>> cells,
        List<NodeBench.Variant> variants,
        int[] sizes,
        int[] windows,
        Path file,
        boolean ratio
    ) throws IOException {
        System.setProperty("java.awt.headless", "true");
        double min = Double.POSITIVE_INFINITY, max = 0;
        for (Map<NodeBench.Variant, NodeBench.Cell> row : cells.values()) {
            for (NodeBench.Variant v : variants) {
                double knn = row.get(v.baseline == null ? v : v.baseline).wall.median();
                NodeBench.Cell c = row.get(v);
                double lo = ratio ? c.wall.median() / knn : c.took.median();
                double hi = ratio ? c.wall.median() / knn : c.took.p99();
                if (lo > 0 && Double.isFinite(lo)) min = Math.min(min, lo);
                if (Double.isFinite(hi)) max = Math.max(max, hi);
            }
        }
        if (ratio) {
            min = 0;
            max = Math.max(2.2, max * 1.1);
        } else {
            min = Math.pow(10, Math.floor(Math.log10(Math.max(0.1, min))));
            max = Math.pow(10, Math.ceil(Math.log10(Math.max(max, min * 10))));
        }
        BufferedImage image = new BufferedImage(PANEL_W * sizes.length, PANEL_H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        for (int p = 0; p < sizes.length; p++) {
            XYChart chart = panel(cells, variants, sizes[p], windows, ratio, min, max);
            g.drawImage(BitmapEncoder.getBufferedImage(chart), p * PANEL_W, 0, null);
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static XYChart panel(
        Map<NodeBench.Config, Map<NodeBench.Variant, NodeBench.Cell>> cells,
        List<NodeBench.Variant> variants,
        int size,
        int[] windows,
        boolean ratio,
        double min,
        double max
    ) {
        XYChart chart = new XYChartBuilder().width(PANEL_W)
            .height(PANEL_H)
            .title((ratio ? "wall p50 / kNN alone" : "server took (ms), p50 solid, p99 dashed") + ", select " + size)
            .xAxisTitle("window size (k = window, num_candidates = min(2·window, 10000))")
            .yAxisTitle(ratio ? "ratio" : "ms")
            .build();
        Styler styler = chart.getStyler();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setXAxisDecimalPattern("#,##0");
        chart.getStyler().setYAxisLogarithmic(ratio == false);
        if (ratio == false) {
            chart.getStyler().setYAxisDecimalPattern("#,##0.#");
        }
        chart.getStyler().setYAxisMin(min);
        chart.getStyler().setYAxisMax(max);
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setMarkerSize(7);
        if (ratio) {
            reference(chart, windows, 1.0, "1.0: kNN alone");
            reference(chart, windows, 1.25, "1.25: target at window 100, select 10");
            reference(chart, windows, 2.0, "2.0: target at window 1000, select 100");
        }
        for (NodeBench.Variant v : variants) {
            Color color = COLORS[v.ordinal() % COLORS.length];
            ToDoubleFunction<Integer> median = w -> {
                Map<NodeBench.Variant, NodeBench.Cell> row = cells.get(new NodeBench.Config(w, size));
                return ratio ? row.get(v).wall.median() / row.get(v.baseline == null ? v : v.baseline).wall.median() : row.get(v).took.median();
            };
            series(chart, v.label, windows, median, ratio == false, color, SeriesLines.SOLID, true);
            if (ratio == false) {
                ToDoubleFunction<Integer> p99 = w -> cells.get(new NodeBench.Config(w, size)).get(v).took.p99();
                series(chart, v.label + " p99", windows, p99, true, color, SeriesLines.DASH_DASH, false);
            }
        }
        return chart;
    }

    private static void reference(XYChart chart, int[] windows, double y, String label) {
        XYSeries s = chart.addSeries(label, new double[] { windows[0], windows[windows.length - 1] }, new double[] { y, y });
        s.setLineColor(REFERENCE);
        s.setLineStyle(SeriesLines.DASH_DASH);
        s.setMarker(SeriesMarkers.NONE);
    }

    /** One line; points that are not finite (or not positive on a log axis) are left out. */
    private static void series(
        XYChart chart,
        String name,
        int[] windows,
        ToDoubleFunction<Integer> f,
        boolean logY,
        Color color,
        java.awt.BasicStroke line,
        boolean inLegend
    ) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int w : windows) {
            double y = f.applyAsDouble(w);
            if (Double.isFinite(y) && (logY == false || y > 0)) {
                xs.add((double) w);
                ys.add(y);
            }
        }
        if (xs.isEmpty()) {
            return;
        }
        XYSeries s = chart.addSeries(name, xs, ys);
        s.setLineColor(color);
        s.setMarkerColor(color);
        s.setLineStyle(line);
        s.setMarker(inLegend ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        s.setShowInLegend(inLegend);
    }
}
