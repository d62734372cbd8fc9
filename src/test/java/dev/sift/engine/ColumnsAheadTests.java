package dev.sift.engine;

import dev.sift.engine.kernels.KernelOps;
import org.junit.Test;

import java.util.Random;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * Columns computed ahead (PosteriorState with {@link KernelOps#productsPerPass} above 1, guesses from
 * {@link NextPicks}) change when the work is done, never the result: every selection is bit-identical to the one
 * made a pass per pick, and the guesses save passes. Both run on the scalar kernels, wrapped to claim 1 or 4
 * products per pass, so these checks hold on every JVM.
 */
public class ColumnsAheadTests {

    @Test
    public void testSelectionsAreBitIdenticalWithAndWithoutColumnsAhead() {
        for (int seed = 0; seed < 150; seed++) {
            Random random = new Random(seed);
            int candidates = 1 + random.nextInt(seed % 5 == 0 ? 400 : 60);
            int dims = RandomProblems.DIMS[random.nextInt(RandomProblems.DIMS.length)];
            boolean unit = random.nextBoolean();
            float[] c = RandomProblems.candidates(random, candidates, dims, unit);
            float[] t = RandomProblems.targets(random, c, 1 + random.nextInt(3), dims, unit);
            SelectionProblem problem = new SelectionProblem(c, t, dims);
            boolean repeats = seed % 4 == 3;
            SiftOptions.Builder options = SiftOptions.builder(1 + random.nextInt(repeats ? 80 : Math.min(candidates, 60)))
                .lambda(new double[] { 1e-3, 0.01, 0.1, 1.0 }[random.nextInt(4)])
                .allowRepeats(repeats);
            if (seed % 7 == 0) {
                options.minGain(1e-4);
            }
            if (seed % 7 == 1) {
                options.targetVariance(0.05); // the pick that reaches it is the last: no pass for its column
            }
            String where = "seed " + seed + " " + candidates + "x" + dims + (repeats ? " repeats" : "");
            Selection onePerPass = new SiftSelector(new CountingKernelOps(1)).select(problem, options.build());
            int products = 4 + seed % 2; // the blocks of the 256-bit and of the 512-bit kernels
            Selection ahead = new SiftSelector(new CountingKernelOps(products)).select(problem, options.build());
            assertBitsEqual(where, onePerPass, ahead);
            int size = Math.min(candidates, 30);
            int[] order = new int[size];
            for (int i = 0; i < size; i++) {
                order[i] = size - 1 - i;
            }
            Selection scoredOne = Trajectories.score(new CountingKernelOps(1), problem, 0.01, order, Cancellation.NONE);
            Selection scoredAhead = Trajectories.score(new CountingKernelOps(products), problem, 0.01, order, Cancellation.NONE);
            assertBitsEqual(where + " fixed order", scoredOne, scoredAhead);
        }
    }

    /**
     * The work: a pass per pick without columns ahead; with them, a pass per four (or five) picks when the guesses
     * are right, as they are for a fixed order, and for SIFT on random directions most of the time.
     */
    @Test
    public void testColumnsAheadSavePasses() {
        Random random = new Random(7);
        int candidates = 500, dims = 256, picks = 40;
        float[] c = new float[candidates * dims];
        for (int i = 0; i < candidates; i++) {
            System.arraycopy(RandomProblems.gaussian(random, dims, 1.0), 0, c, i * dims, dims);
        }
        SelectionProblem problem = new SelectionProblem(c, RandomProblems.gaussian(random, dims, 1.0), dims);

        CountingKernelOps one = new CountingKernelOps(1);
        new SiftSelector(one).select(problem, SiftOptions.builder(picks).build());
        assertEquals("one pass for the targets and one per pick but the last", (long) candidates * picks, one.rowsRead);

        CountingKernelOps ahead = new CountingKernelOps(4);
        new SiftSelector(ahead).select(problem, SiftOptions.builder(picks).build());
        long passes = ahead.rowsRead / candidates;
        assertTrue("SIFT with columns ahead: " + passes + " passes for " + picks + " picks", passes <= 1 + picks / 2);

        CountingKernelOps single = new CountingKernelOps(4);
        new SiftSelector(single).select(problem, SiftOptions.builder(1).build());
        assertEquals("one pick: the pass for the targets only", candidates, single.rowsRead);

        int[] order = new int[picks];
        for (int i = 0; i < picks; i++) {
            order[i] = (i * 37) % candidates;
        }
        CountingKernelOps fixed = new CountingKernelOps(4);
        Trajectories.score(fixed, problem, 0.01, order, Cancellation.NONE);
        assertEquals("a known order: one pass per four picks", (long) candidates * (1 + picks / 4), fixed.rowsRead);
        CountingKernelOps fixedFive = new CountingKernelOps(5);
        Trajectories.score(fixedFive, problem, 0.01, order, Cancellation.NONE);
        assertEquals("a known order: one pass per five picks", (long) candidates * (1 + picks / 5), fixedFive.rowsRead);
    }

    private static void assertBitsEqual(String where, Selection expected, Selection actual) {
        assertArrayEquals(where, expected.picks(), actual.picks());
        assertEquals(where + " prior", Double.doubleToRawLongBits(expected.priorVariance()), Double.doubleToRawLongBits(actual.priorVariance()));
        for (int n = 0; n < expected.steps(); n++) {
            assertEquals(where + " V step " + n, Double.doubleToRawLongBits(expected.variance(n)), Double.doubleToRawLongBits(actual.variance(n)));
            assertEquals(where + " gain step " + n, Double.doubleToRawLongBits(expected.gain(n)), Double.doubleToRawLongBits(actual.gain(n)));
        }
    }
}
