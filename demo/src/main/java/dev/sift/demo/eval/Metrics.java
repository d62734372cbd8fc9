package dev.sift.demo.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The evaluation's measures of one ranked list, at a cut-off k. Every returned document belongs to exactly one
 * unit (an original paragraph and its planted copies share the unit); a query's relevant units are the
 * paragraphs of its page.
 *
 * <ul>
 *   <li>{@code units}: distinct relevant units among the first k hits;</li>
 *   <li>{@code subtopicRecall}: {@code units / |relevant units|} (S-recall, Zhai et al. 2003);</li>
 *   <li>{@code duplicates}: hits among the first k whose unit an earlier hit already showed (any unit,
 *       relevant or not) — what a reader skips as "seen that";</li>
 *   <li>{@code precision}: share of the first k hits that belong to a relevant unit (copies included);</li>
 *   <li>{@code meanCosine}: mean cosine similarity of the first k hits to the query;</li>
 *   <li>{@code alphaNdcg}: α-nDCG (Clarke et al. 2008) with α = {@value #ALPHA}: the hit at rank r showing a
 *       relevant unit already shown c times gains (1−α)^c, discounted by log2(r+1); normalised by the best
 *       ordering of all the documents of the relevant units in the index (every unit once, then second copies,
 *       and so on — optimal here because each document covers one unit).</li>
 * </ul>
 * If a list is shorter than k, the missing hits count as irrelevant (precision and mean cosine still divide by the
 * hits there are: a short list is not penalised for relevance, only for coverage).
 */
public final class Metrics {

    public static final double ALPHA = 0.5;

    public record AtK(int k, int units, double subtopicRecall, int duplicates, double precision, double meanCosine, double alphaNdcg) {}

    private Metrics() {}

    /**
     * @param hitUnits      the unit of each returned hit, in rank order
     * @param hitCosines    each hit's cosine to the query
     * @param relevantUnits the query's relevant units
     * @param groupSizes    for each relevant unit, how many documents of it the index holds (1 + copies)
     */
    public static AtK at(int k, int[] hitUnits, double[] hitCosines, Set<Integer> relevantUnits, Map<Integer, Integer> groupSizes) {
        int n = Math.min(k, hitUnits.length);
        Set<Integer> seen = new HashSet<>();
        Map<Integer, Integer> shown = new HashMap<>();
        int units = 0, duplicates = 0, relevantHits = 0;
        double cosSum = 0, dcg = 0;
        for (int r = 0; r < n; r++) {
            int u = hitUnits[r];
            cosSum += hitCosines[r];
            if (seen.add(u) == false) {
                duplicates++;
            }
            if (relevantUnits.contains(u)) {
                relevantHits++;
                int c = shown.getOrDefault(u, 0);
                if (c == 0) {
                    units++;
                }
                dcg += Math.pow(1 - ALPHA, c) / log2(r + 2);
                shown.put(u, c + 1);
            }
        }
        double ideal = idealDcg(k, relevantUnits, groupSizes);
        return new AtK(
            k,
            units,
            relevantUnits.isEmpty() ? 0 : (double) units / relevantUnits.size(),
            duplicates,
            n == 0 ? 0 : (double) relevantHits / n,
            n == 0 ? 0 : cosSum / n,
            ideal == 0 ? 0 : dcg / ideal
        );
    }

    /** DCG of the best ordering: all units once (gain 1), then the second copies (gain 1−α), and so on. */
    static double idealDcg(int k, Set<Integer> relevantUnits, Map<Integer, Integer> groupSizes) {
        List<Double> gains = new ArrayList<>();
        int maxGroup = 0;
        for (int u : relevantUnits) {
            maxGroup = Math.max(maxGroup, groupSizes.getOrDefault(u, 1));
        }
        for (int c = 0; c < maxGroup && gains.size() < k; c++) {
            for (int u : relevantUnits) {
                if (groupSizes.getOrDefault(u, 1) > c) {
                    gains.add(Math.pow(1 - ALPHA, c));
                }
            }
        }
        double dcg = 0;
        for (int r = 0; r < Math.min(k, gains.size()); r++) {
            dcg += gains.get(r) / log2(r + 2);
        }
        return dcg;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    /** Spearman's rank correlation (average ranks for ties); NaN for fewer than 3 pairs or a constant side. */
    public static double spearman(double[] x, double[] y) {
        if (x.length != y.length || x.length < 3) {
            return Double.NaN;
        }
        return pearson(ranks(x), ranks(y));
    }

    public static double pearson(double[] x, double[] y) {
        int n = x.length;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
    }

    static double[] ranks(double[] v) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
        double[] ranks = new double[v.length];
        for (int i = 0; i < v.length;) {
            int j = i;
            while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1;
            for (int m = i; m <= j; m++) {
                ranks[order[m]] = rank;
            }
            i = j + 1;
        }
        return ranks;
    }
}
