package dev.sift.engine;

import static dev.sift.testing.TestVectors.dot;

import dev.sift.testing.BruteForceVariance;

import dev.sift.engine.kernels.ScalarKernelOps;
import org.junit.Test;

import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

/** {@link MmrSelector} against a direct reading of its definition, plus the tie rule and the mmr_lambda = 1 limit. */
public class MmrSelectorTests {

    private final MmrSelector mmr = new MmrSelector(ScalarKernelOps.INSTANCE);

    /**
     * The definition, written out with nothing shared with the engine: sim is Lucene's MAXIMUM_INNER_PRODUCT
     * scaling of a plain sequential inner product; relevance is the best target's sim; the first pick is the most
     * relevant; then argmax λ·rel(x) − (1−λ)·max_{s∈S} sim(x,s); the earliest position wins a tie; the result is
     * in selection order.
     */
    static int[] referenceMmr(float[] c, float[] t, int dims, int size, double mmrLambda) {
        int k = c.length / dims;
        int targets = t.length / dims;
        double[] rel = new double[k];
        for (int x = 0; x < k; x++) {
            double best = Double.NEGATIVE_INFINITY;
            for (int a = 0; a < targets; a++) {
                best = Math.max(best, sim(dot(c, x, t, a, dims)));
            }
            rel[x] = best;
        }
        int[] order = new int[Math.min(size, k)];
        boolean[] taken = new boolean[k];
        for (int n = 0; n < order.length; n++) {
            int best = -1;
            double bestScore = 0;
            for (int x = 0; x < k; x++) {
                if (taken[x]) {
                    continue;
                }
                double score;
                if (n == 0) {
                    score = rel[x];
                } else {
                    double maxSim = Double.NEGATIVE_INFINITY;
                    for (int i = 0; i < n; i++) {
                        maxSim = Math.max(maxSim, sim(dot(c, x, c, order[i], dims)));
                    }
                    score = mmrLambda * rel[x] - (1 - mmrLambda) * maxSim;
                }
                if (best == -1 || score > bestScore) {
                    best = x;
                    bestScore = score;
                }
            }
            order[n] = best;
            taken[best] = true;
        }
        return order;
    }

    private static double sim(double p) {
        return p < 0 ? 1 / (1 - p) : p + 1;
    }

    @Test
    public void testMatchesReferenceOnRandomData() {
        double[] lambdas = { 0, 0.1, 0.5, 0.7, 0.9, 1 };
        for (int seed = 0; seed < 80; seed++) {
            Random random = new Random(seed);
            int count = 1 + random.nextInt(150);
            int dims = RandomProblems.DIMS[random.nextInt(RandomProblems.DIMS.length)];
            boolean unit = random.nextBoolean();
            float[] c = RandomProblems.candidates(random, count, dims, unit);
            float[] t = RandomProblems.targets(random, c, 1 + random.nextInt(3), dims, unit);
            int size = 1 + random.nextInt(count + 5);
            double mmrLambda = lambdas[random.nextInt(lambdas.length)];
            Selection s = mmr.select(new SelectionProblem(c, t, dims), size, mmrLambda, 0.01, Cancellation.NONE);
            int[] expected = referenceMmr(c, t, dims, size, mmrLambda);
            assertArrayEquals("seed " + seed + " λ_mmr " + mmrLambda, expected, s.picks());
            // Every pick is kept, and the trajectory is SIFT's surrogate variance of this order.
            BruteForceVariance reference = new BruteForceVariance(c, t, dims, 0.01);
            for (int n = 0; n < s.steps(); n++) {
                assertEquals(true, s.kept(n));
                assertEquals("seed " + seed + " step " + n, reference.variance(expected, n + 1), s.variance(n), 1e-11 * reference.prior());
            }
        }
    }

    @Test
    public void testLambdaOneIsRelevanceOrder() {
        for (int seed = 0; seed < 20; seed++) {
            Random random = new Random(100 + seed);
            int dims = 1 + random.nextInt(40);
            int count = 1 + random.nextInt(60);
            float[] c = RandomProblems.candidates(random, count, dims, seed % 2 == 0);
            float[] t = RandomProblems.targets(random, c, 1 + seed % 3, dims, false);
            double[] rel = new double[count];
            for (int x = 0; x < count; x++) {
                rel[x] = Double.NEGATIVE_INFINITY;
                for (int a = 0; a < t.length / dims; a++) {
                    rel[x] = Math.max(rel[x], sim(dot(c, x, t, a, dims)));
                }
            }
            // A stable sort: equal relevance keeps the incoming order.
            int[] byRelevance = IntStream.range(0, count)
                .boxed()
                .sorted(Comparator.comparingDouble((Integer x) -> rel[x]).reversed())
                .mapToInt(Integer::intValue)
                .toArray();
            Selection s = mmr.select(new SelectionProblem(c, t, dims), count, 1.0, 0.01, Cancellation.NONE);
            assertArrayEquals("seed " + seed, byRelevance, s.picks());
        }
    }

    @Test
    public void testTiesGoToEarlierPosition() {
        // Identical candidates: every score ties at every step.
        float[] same = { 0.3f, 0.4f, 0.3f, 0.4f, 0.3f, 0.4f, 0.3f, 0.4f };
        float[] q = { 1f, 0f };
        for (double mmrLambda : new double[] { 0, 0.5, 1 }) {
            assertArrayEquals(new int[] { 0, 1, 2, 3 }, mmr.select(new SelectionProblem(same, q, 2), 4, mmrLambda, 0.01, Cancellation.NONE).picks());
        }
        // Mirror images about the query: equally relevant, so the earlier comes first.
        float[] mirrored = { 0.6f, -0.8f, 0.6f, 0.8f };
        assertArrayEquals(new int[] { 0, 1 }, mmr.select(new SelectionProblem(mirrored, q, 2), 2, 0.5, 0.01, Cancellation.NONE).picks());
    }

    /** The result is in selection order, not re-sorted into the incoming order. */
    @Test
    public void testSelectionOrderNotIncomingOrder() {
        // Relevance to q: c0 2, its near copy c1 1.992, the different c2 1.84. After c0, MMR (λ = 0.5) scores
        // c1 at 0.5·(1.992 − 1.99) = 0.001 and c2 at 0.5·(1.84 − 1.7) = 0.07.
        float[] c = { 1f, 0f, 0.99f, 0.01f, 0.7f, 0.7f };
        float[] q = { 1f, 0.2f };
        int[] picks = mmr.select(new SelectionProblem(c, q, 2), 3, 0.5, 0.01, Cancellation.NONE).picks();
        assertArrayEquals(new int[] { 0, 2, 1 }, picks);
        assertArrayEquals(referenceMmr(c, q, 2, 3, 0.5), picks);
        // And with λ_mmr = 1 the near copy is second again.
        assertArrayEquals(new int[] { 0, 1, 2 }, mmr.select(new SelectionProblem(c, q, 2), 3, 1, 0.01, Cancellation.NONE).picks());
    }

    @Test
    public void testSizeBeyondCandidatesAndEmpty() {
        float[] c = { 1f, 0f, 0f, 1f };
        assertEquals(2, mmr.select(new SelectionProblem(c, new float[] { 1f, 1f }, 2), 10, 0.5, 0.01, Cancellation.NONE).steps());
        assertEquals(0, mmr.select(new SelectionProblem(new float[0], new float[] { 1f, 1f }, 2), 10, 0.5, 0.01, Cancellation.NONE).steps());
        // Scaled inner product, as Lucene's MAXIMUM_INNER_PRODUCT.
        assertEquals(1.0, MmrSelector.scaledInnerProduct(0), 0);
        assertEquals(3.0, MmrSelector.scaledInnerProduct(2), 0);
        assertEquals(1.0 / 3, MmrSelector.scaledInnerProduct(-2), 0);
        assertArrayEquals(new int[] { 0, 1 }, mmr.select(new SelectionProblem(c, new float[] { 1f, 1f }, 2), 2, 0.5, 0.01, Cancellation.NONE).picks());
    }
}
