package dev.sift.es.bench;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Draws {@link NodeBench}'s plots with plain Java2D (headless): server {@code took} against window size, one
 * panel per selection size, log-log, medians solid and p99 dashed; and the ratio of each median client wall time to
 * kNN alone (finer than {@code took}'s whole milliseconds),
 * with the targets (1.25 at window 100, 2.0 at window 1000) drawn as reference lines.
 */
final class LatencyPlot {

    private static final int PANEL_W = 560;
    private static final int PANEL_H = 420;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;
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
        BufferedImage image = new BufferedImage(PANEL_W * sizes.length, PANEL_H + 90, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());

        // one y range for all panels, so that they compare
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

        for (int p = 0; p < sizes.length; p++) {
            int size = sizes[p];
            Graphics2D panel = (Graphics2D) g.create(p * PANEL_W, 0, PANEL_W, PANEL_H);
            Axes axes = new Axes(windows[0], windows[windows.length - 1], min, max, ratio == false);
            axes.frame(panel, (ratio ? "wall p50 / kNN alone" : "server took (ms), p50 solid, p99 dashed") + ", select " + size,
                ratio ? "ratio" : "ms", windows);
            if (ratio) {
                axes.reference(panel, 1.0, "");
                axes.reference(panel, 1.25, "1.25: target at window 100, select 10");
                axes.reference(panel, 2.0, "2.0: target at window 1000, select 100");
            }
            for (int vi = variants.size() - 1; vi >= 0; vi--) { // the first variants (kNN, sift) drawn last, on top
                NodeBench.Variant v = variants.get(vi);
                Color color = COLORS[v.ordinal() % COLORS.length];
                ToDoubleFunction<Integer> median = w -> {
                    Map<NodeBench.Variant, NodeBench.Cell> row = cells.get(new NodeBench.Config(w, size));
                    return ratio
                        ? row.get(v).wall.median() / row.get(v.baseline == null ? v : v.baseline).wall.median()
                        : row.get(v).took.median();
                };
                axes.line(panel, windows, median, color, new BasicStroke(2.2f), true);
                if (ratio == false) {
                    ToDoubleFunction<Integer> p99 = w -> cells.get(new NodeBench.Config(w, size)).get(v).took.p99();
                    axes.line(panel, windows, p99, color, dashed(), false);
                }
            }
            panel.dispose();
        }
        // legend
        int x = 20, y = PANEL_H + 30;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        for (NodeBench.Variant v : variants) {
            if (x + 44 + g.getFontMetrics().stringWidth(v.label) > image.getWidth()) {
                x = 20;
                y += 24;
            }
            g.setColor(COLORS[v.ordinal() % COLORS.length]);
            g.setStroke(new BasicStroke(3f));
            g.drawLine(x, y - 5, x + 28, y - 5);
            g.setColor(Color.BLACK);
            g.drawString(v.label, x + 34, y);
            x += 44 + g.getFontMetrics().stringWidth(v.label);
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static Stroke dashed() {
        return new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] { 6f, 4f }, 0f);
    }

    /** Log x (window); log or linear y. */
    private record Axes(double xMin, double xMax, double yMin, double yMax, boolean logY) {

        int px(double x) {
            double f = (Math.log(x) - Math.log(xMin)) / (Math.log(xMax) - Math.log(xMin));
            return LEFT + 20 + (int) Math.round(f * (PANEL_W - LEFT - RIGHT - 40));
        }

        int py(double y) {
            double f = logY ? (Math.log(y) - Math.log(yMin)) / (Math.log(yMax) - Math.log(yMin)) : (y - yMin) / (yMax - yMin);
            return TOP + (int) Math.round((1 - f) * (PANEL_H - TOP - BOTTOM));
        }

        void frame(Graphics2D g, String title, String yLabel, int[] windows) {
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(title, LEFT, 24);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawRect(LEFT, TOP, PANEL_W - LEFT - RIGHT, PANEL_H - TOP - BOTTOM);
            for (int w : windows) {
                int x = px(w);
                g.setColor(new Color(230, 230, 230));
                g.drawLine(x, TOP + 1, x, PANEL_H - BOTTOM - 1);
                g.setColor(Color.BLACK);
                String label = Integer.toString(w);
                g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, PANEL_H - BOTTOM + 16);
            }
            g.drawString("window size (k = window, num_candidates = min(2·window, 10000))", LEFT + 10, PANEL_H - BOTTOM + 36);
            if (logY) {
                for (double y = yMin; y <= yMax * 1.0001; y *= 10) {
                    tick(g, y, y >= 1 ? String.format(Locale.ROOT, "%.0f", y) : String.format(Locale.ROOT, "%.1f", y));
                }
            } else {
                double step = niceStep(yMax / 8); // about 8 labelled lines, whatever the largest ratio
                for (double y = 0; y <= yMax; y += step) {
                    tick(g, y, String.format(Locale.ROOT, step < 1 ? "%.1f" : "%.0f", y));
                }
            }
            g.drawString(yLabel, 8, TOP - 6);
        }

        /** The smallest of 0.5, 1, 2, 5, 10, 20, 50, ... that is at least {@code rough}. */
        static double niceStep(double rough) {
            double step = 0.5;
            for (double decade = 1; step < rough; decade *= 10) {
                for (double m : new double[] { 1, 2, 5 }) {
                    step = m * decade;
                    if (step >= rough) {
                        break;
                    }
                }
            }
            return step;
        }

        void tick(Graphics2D g, double y, String label) {
            int py = py(y);
            g.setColor(new Color(230, 230, 230));
            g.drawLine(LEFT + 1, py, PANEL_W - RIGHT - 1, py);
            g.setColor(Color.BLACK);
            g.drawString(label, LEFT - 6 - g.getFontMetrics().stringWidth(label), py + 4);
        }

        void reference(Graphics2D g, double y, String label) {
            if (y > yMax) return;
            g.setColor(new Color(200, 60, 60));
            g.setStroke(dashed());
            g.drawLine(LEFT + 1, py(y), PANEL_W - RIGHT - 1, py(y));
            if (label.isEmpty()) return;
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            int w = g.getFontMetrics().stringWidth(label);
            int x = PANEL_W - RIGHT - w - 8;
            g.setColor(new Color(255, 255, 255, 210));
            g.fillRect(x - 2, py(y) - 14, w + 4, 13);
            g.setColor(new Color(200, 60, 60));
            g.drawString(label, x, py(y) - 4);
        }

        void line(Graphics2D g, int[] xs, ToDoubleFunction<Integer> f, Color color, Stroke stroke, boolean markers) {
            g.setColor(color);
            g.setStroke(stroke);
            int lastX = -1, lastY = -1;
            for (int x : xs) {
                double y = f.applyAsDouble(x);
                if (Double.isFinite(y) == false || (logY && y <= 0)) {
                    lastX = -1;
                    continue;
                }
                int px = px(x), py = py(Math.max(yMin, Math.min(yMax, y)));
                if (lastX >= 0) g.drawLine(lastX, lastY, px, py);
                if (markers) g.fillOval(px - 4, py - 4, 8, 8);
                lastX = px;
                lastY = py;
            }
        }
    }
}
