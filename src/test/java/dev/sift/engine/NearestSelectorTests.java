package dev.sift.engine;

import dev.sift.testing.BruteForceVariance;

import dev.sift.engine.kernels.ScalarKernelOps;
import org.junit.Test;

import java.util.Random;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

/** The nearest-neighbour baseline keeps the incoming order and is scored on SIFT's surrogate. */
public class NearestSelectorTests {

    private final NearestSelector nearest = new NearestSelector(ScalarKernelOps.INSTANCE);

    @Test
    public void testIncomingOrderScoredAgainstBruteForce() {
        for (int seed = 0; seed < 20; seed++) {
            Random random = new Random(seed);
            int count = 1 + random.nextInt(80);
            int dims = RandomProblems.DIMS[random.nextInt(RandomProblems.DIMS.length)];
            float[] c = RandomProblems.candidates(random, count, dims, false);
            float[] t = RandomProblems.targets(random, c, 1 + random.nextInt(3), dims, false);
            int size = 1 + random.nextInt(count + 3);
            double lambda = seed % 2 == 0 ? 0.01 : 0.5;
            Selection s = nearest.select(new SelectionProblem(c, t, dims), size, lambda, Cancellation.NONE);
            int steps = Math.min(size, count);
            int[] expected = new int[steps];
            for (int i = 0; i < steps; i++) {
                expected[i] = i;
            }
            assertArrayEquals(expected, s.picks());
            assertArrayEquals(expected, s.selected());
            BruteForceVariance reference = new BruteForceVariance(c, t, dims, lambda);
            assertEquals(reference.prior(), s.priorVariance(), 1e-12 * reference.prior());
            for (int n = 0; n < steps; n++) {
                assertEquals("seed " + seed + " step " + n, reference.variance(expected, n + 1), s.variance(n), 1e-11 * reference.prior());
            }
        }
    }

    /** SIFT's first pick, the one-step optimum, never leaves more uncertainty than the nearest neighbour's. */
    @Test
    public void testSiftFirstStepIsAtLeastAsGood() {
        SiftSelector sift = new SiftSelector(ScalarKernelOps.INSTANCE);
        for (int seed = 0; seed < 20; seed++) {
            Random random = new Random(40 + seed);
            float[] c = RandomProblems.candidates(random, 50, 16, true);
            float[] t = RandomProblems.targets(random, c, 1, 16, true);
            SelectionProblem p = new SelectionProblem(c, t, 16);
            Selection knn = nearest.select(p, 5, 0.01, Cancellation.NONE);
            Selection greedy = sift.select(p, SiftOptions.builder(5).build());
            // Greedy is optimal for one step; later steps usually but not provably.
            assertEquals(true, greedy.variance(0) <= knn.variance(0));
        }
    }
}
