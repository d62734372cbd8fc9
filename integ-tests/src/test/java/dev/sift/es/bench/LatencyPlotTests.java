package dev.sift.es.bench;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;

/** {@link LatencyPlot} on made-up timings: two PNGs, one panel per selection size side by side, with something drawn. */
public class LatencyPlotTests {

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    @Test
    public void testDrawsOnePanelPerSize() throws Exception {
        List<NodeBench.Variant> variants = List.of(NodeBench.Variant.values());
        int[] sizes = { 10, 100 };
        int[] windows = { 100, 1000, 10000 };
        Map<NodeBench.Config, Map<NodeBench.Variant, NodeBench.Cell>> cells = new HashMap<>();
        for (int size : sizes) {
            for (int w : windows) {
                Map<NodeBench.Variant, NodeBench.Cell> row = new EnumMap<>(NodeBench.Variant.class);
                for (NodeBench.Variant v : variants) {
                    NodeBench.Cell cell = new NodeBench.Cell();
                    for (int i = 0; i < 20; i++) {
                        double ms = (1 + v.ordinal()) * w / 100.0 + i * 0.1;
                        cell.took.add(ms);
                        cell.wall.add(ms + 1);
                    }
                    row.put(v, cell);
                }
                cells.put(new NodeBench.Config(w, size), row);
            }
        }
        Path latency = folder.getRoot().toPath().resolve("latency.png");
        Path ratio = folder.getRoot().toPath().resolve("latency-ratio.png");
        LatencyPlot.write(cells, variants, sizes, windows, latency, ratio);
        for (Path png : new Path[] { latency, ratio }) {
            BufferedImage image = ImageIO.read(png.toFile());
            assertNotNull(png + " is not an image", image);
            assertEquals(2 * 560, image.getWidth());
            assertEquals(560, image.getHeight());
            int white = image.getRGB(0, 0);
            int drawn = 0;
            for (int x = 0; x < image.getWidth(); x += 3) {
                for (int y = 0; y < image.getHeight(); y += 3) {
                    drawn += image.getRGB(x, y) != white ? 1 : 0;
                }
            }
            assertNotEquals(png + " is blank", 0, drawn);
        }
    }
}
