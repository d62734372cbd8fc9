package dev.sift.demo.eval;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MetricsTest {

    private static final double EPS = 1e-9;

    @Test
    void countsUnitsDuplicatesAndPrecision() {
        int[] units = { 1, 1, 2, 9 };
        double[] cos = { 0.9, 0.8, 0.7, 0.2 };
        Metrics.AtK m = Metrics.at(4, units, cos, Set.of(1, 2, 3), Map.of(1, 2, 2, 1, 3, 1));
        assertEquals(2, m.units());
        assertEquals(2.0 / 3, m.subtopicRecall(), EPS);
        assertEquals(1, m.duplicates());
        assertEquals(0.75, m.precision(), EPS);
        assertEquals(0.65, m.meanCosine(), EPS);
    }

    @Test
    void alphaNdcgByHand() {
        // gains: 1 (u1), (1-α) = 0.5 (u1 again), 1 (u2), 0 (u9), discounted by log2(r+1)
        double dcg = 1 + 0.5 / log2(3) + 1 / log2(4);
        // ideal: u1, u2, u3 once, then the second copy of u1
        double ideal = 1 + 1 / log2(3) + 1 / log2(4) + 0.5 / log2(5);
        Metrics.AtK m = Metrics.at(4, new int[] { 1, 1, 2, 9 }, new double[4], Set.of(1, 2, 3), Map.of(1, 2));
        assertEquals(dcg / ideal, m.alphaNdcg(), EPS);
    }

    @Test
    void idealOrderScoresOne() {
        Metrics.AtK m = Metrics.at(3, new int[] { 3, 1, 2 }, new double[3], Set.of(1, 2, 3), Map.of(1, 4));
        assertEquals(1.0, m.alphaNdcg(), EPS);
        assertEquals(0, m.duplicates());
    }

    @Test
    void cutOffBeyondTheListUsesTheHitsThereAre() {
        Metrics.AtK m = Metrics.at(10, new int[] { 5, 6 }, new double[] { 0.4, 0.6 }, Set.of(5), Map.of());
        assertEquals(1, m.units());
        assertEquals(0.5, m.precision(), EPS);
        assertEquals(0.5, m.meanCosine(), EPS);
    }

    @Test
    void spearman() {
        assertEquals(1.0, Metrics.spearman(new double[] { 1, 2, 3, 4 }, new double[] { 10, 20, 30, 45 }), EPS);
        assertEquals(-1.0, Metrics.spearman(new double[] { 1, 2, 3, 4 }, new double[] { 4, 3, 2, 1 }), EPS);
        double[] ranks = Metrics.ranks(new double[] { 5, 1, 5, 2 });
        assertEquals(3.5, ranks[0], EPS);
        assertEquals(1.0, ranks[1], EPS);
        assertEquals(3.5, ranks[2], EPS);
        assertEquals(2.0, ranks[3], EPS);
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
