package dev.sift.es.bench;

import java.util.Arrays;

/** Order statistics of a latency sample (nearest rank: with fewer than 100 samples the p99 is the maximum). */
public final class LatencyStats {

    private double[] values = new double[64];
    private int count;

    public void add(double value) {
        if (count == values.length) {
            values = Arrays.copyOf(values, count * 2);
        }
        values[count++] = value;
    }

    public int count() {
        return count;
    }

    public double mean() {
        if (count == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < count; i++) {
            sum += values[i];
        }
        return sum / count;
    }

    public double median() {
        return percentile(50);
    }

    public double p99() {
        return percentile(99);
    }

    /** Nearest-rank percentile; NaN when empty. */
    public double percentile(double p) {
        if (count == 0) {
            return Double.NaN;
        }
        double[] sorted = Arrays.copyOf(values, count);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * count);
        return sorted[Math.max(0, Math.min(count - 1, rank - 1))];
    }
}
