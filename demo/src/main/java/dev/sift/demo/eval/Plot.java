package dev.sift.demo.eval;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A minimal chart, drawn with java.awt in headless mode and written as PNG: side-by-side panels, each with
 * series of points (optionally joined by lines, optionally labelled), linear axes with round ticks, and a legend.
 * Enough for the evaluation's two figures; no dependency beyond the JDK.
 */
final class Plot {

    record Point(double x, double y, String label) {}

    record Series(String name, Color color, boolean lines, int markerSize, List<Point> points) {}

    record Panel(String title, String xLabel, String yLabel, List<Series> series) {}

    private static final int PANEL_WIDTH = 620;
    private static final int HEIGHT = 520;
    private static final int LEFT = 70, RIGHT = 20, TOP = 40, BOTTOM = 60;
    private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 14);

    private Plot() {}

    static void write(Path png, List<Panel> panels) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(PANEL_WIDTH * panels.size(), HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        for (int i = 0; i < panels.size(); i++) {
            draw(g, panels.get(i), i * PANEL_WIDTH);
        }
        g.dispose();
        Files.createDirectories(png.toAbsolutePath().getParent());
        ImageIO.write(image, "png", png.toFile());
    }

    private static void draw(Graphics2D g, Panel panel, int x0) {
        double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
        for (Series s : panel.series()) {
            for (Point p : s.points()) {
                minX = Math.min(minX, p.x());
                maxX = Math.max(maxX, p.x());
                minY = Math.min(minY, p.y());
                maxY = Math.max(maxY, p.y());
            }
        }
        double[] xs = niceRange(minX, maxX);
        double[] ys = niceRange(minY, maxY);
        int plotW = PANEL_WIDTH - LEFT - RIGHT, plotH = HEIGHT - TOP - BOTTOM;
        int left = x0 + LEFT;

        g.setFont(TITLE_FONT);
        g.setColor(Color.BLACK);
        g.drawString(panel.title(), left, TOP - 15);
        g.setFont(FONT);
        FontMetrics fm = g.getFontMetrics();

        // grid and ticks
        for (double t = xs[0]; t <= xs[1] + xs[2] / 2; t += xs[2]) {
            int px = left + (int) Math.round((t - xs[0]) / (xs[1] - xs[0]) * plotW);
            g.setColor(new Color(230, 230, 230));
            g.drawLine(px, TOP, px, TOP + plotH);
            g.setColor(Color.DARK_GRAY);
            String s = tick(t, xs[2]);
            g.drawString(s, px - fm.stringWidth(s) / 2, TOP + plotH + 16);
        }
        for (double t = ys[0]; t <= ys[1] + ys[2] / 2; t += ys[2]) {
            int py = TOP + plotH - (int) Math.round((t - ys[0]) / (ys[1] - ys[0]) * plotH);
            g.setColor(new Color(230, 230, 230));
            g.drawLine(left, py, left + plotW, py);
            g.setColor(Color.DARK_GRAY);
            String s = tick(t, ys[2]);
            g.drawString(s, left - 6 - fm.stringWidth(s), py + 4);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, TOP, plotW, plotH);
        g.drawString(panel.xLabel(), left + plotW / 2 - fm.stringWidth(panel.xLabel()) / 2, TOP + plotH + 40);
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        rotated.drawString(panel.yLabel(), -(TOP + plotH / 2 + fm.stringWidth(panel.yLabel()) / 2), x0 + 18);
        rotated.dispose();

        // series; the legend goes to the bottom right, where these figures have no points
        int legendY = TOP + plotH - 10 - 18 * (panel.series().size() - 1);
        for (Series s : panel.series()) {
            g.setColor(s.color());
            g.setStroke(new BasicStroke(2f));
            int prevX = 0, prevY = 0;
            for (int i = 0; i < s.points().size(); i++) {
                Point p = s.points().get(i);
                int px = left + (int) Math.round((p.x() - xs[0]) / (xs[1] - xs[0]) * plotW);
                int py = TOP + plotH - (int) Math.round((p.y() - ys[0]) / (ys[1] - ys[0]) * plotH);
                if (s.lines() && i > 0) {
                    g.drawLine(prevX, prevY, px, py);
                }
                int m = s.markerSize();
                g.fillOval(px - m / 2, py - m / 2, m, m);
                if (p.label() != null && p.label().isEmpty() == false) {
                    g.drawString(p.label(), px + m / 2 + 3, py - m / 2 - 2);
                }
                prevX = px;
                prevY = py;
            }
            // legend, top right
            String name = s.name();
            int lx = left + plotW - 12 - fm.stringWidth(name) - 18;
            g.fillOval(lx, legendY - 9, 9, 9);
            g.setColor(Color.BLACK);
            g.drawString(name, lx + 16, legendY);
            legendY += 18;
        }
        g.setStroke(new BasicStroke(1f));
    }

    /** [low, high, step] covering [min, max] with 4 to 8 round steps. */
    static double[] niceRange(double min, double max) {
        if (Double.isFinite(min) == false || Double.isFinite(max) == false) {
            return new double[] { 0, 1, 0.2 };
        }
        if (max - min < 1e-9) {
            min -= 0.5;
            max += 0.5;
        }
        double pad = (max - min) * 0.08;
        boolean nonNegative = min >= 0;
        min -= pad;
        max += pad;
        if (nonNegative) {
            min = Math.max(0, min); // counts and shares: no axis below zero
        }
        double raw = (max - min) / 6;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = mag;
        for (double m : new double[] { 1, 2, 2.5, 5, 10 }) {
            if (m * mag >= raw) {
                step = m * mag;
                break;
            }
        }
        return new double[] { Math.floor(min / step) * step, Math.ceil(max / step) * step, step };
    }

    private static String tick(double v, double step) {
        int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) + 1e-9));
        if (step * Math.pow(10, decimals) % 1 != 0) {
            decimals++;
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", Math.abs(v) < step / 1e6 ? 0 : v);
    }

    static List<Point> points() {
        return new ArrayList<>();
    }
}
