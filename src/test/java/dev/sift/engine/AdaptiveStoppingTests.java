package dev.sift.engine;

import dev.sift.engine.kernels.ScalarKernelOps;
import org.junit.Test;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

/**
 * The stopping rules of SIFT.md on examples small enough to work out by hand.
 *
 * <p>The main example: four orthonormal candidates in the incoming order {@code [e3, e1, e2, e4]}, target
 * {@code q = (4, 3, 0.1, 0.5)}, {@code λ = 0.01}. Orthogonal candidates do not inform each other, so observing
 * {@code e_i} removes {@code q_i² / (1 + λ)} from the variance and nothing else changes:
 *
 * <pre>
 *   V([]) = 16 + 9 + 0.01 + 0.25                 = 25.26
 *   pick 1: e1 (position 1), gain 16/1.01  = 15.842  V1 = 9.4184
 *   pick 2: e2 (position 2), gain  9/1.01  =  8.911  V2 = 0.5075
 *   pick 3: e4 (position 3), gain .25/1.01 =  0.2475 V3 = 0.2600
 *   pick 4: e3 (position 0), gain .01/1.01 =  0.0099 V4 = 0.2501   (= V([])·λ/(1+λ))
 * </pre>
 *
 * The test recomputes these from the float inputs in closed form rather than trusting the rounded table.
 */
public class AdaptiveStoppingTests {

    private static final double LAMBDA = 0.01;
    private static final int DIMS = 4;
    private static final float[] CANDIDATES = {
        0, 0, 1, 0, // e3
        1, 0, 0, 0, // e1
        0, 1, 0, 0, // e2
        0, 0, 0, 1, // e4
    };
    private static final float[] QUERY = { 4f, 3f, 0.1f, 0.5f };
    private static final int[] GREEDY_ORDER = { 1, 2, 3, 0 };
    /** The query component each greedy pick explains. */
    private static final int[] EXPLAINED = { 0, 1, 3, 2 };

    private final SiftSelector selector = new SiftSelector(ScalarKernelOps.INSTANCE);

    private static double prior() {
        double v = 0;
        for (float q : QUERY) {
            v += (double) q * q;
        }
        return v;
    }

    /** V(S_n), n = 0..4, in closed form. */
    private static double[] closedFormVariances() {
        double[] v = new double[5];
        v[0] = prior();
        for (int n = 0; n < 4; n++) {
            double q = QUERY[EXPLAINED[n]];
            v[n + 1] = v[n] - q * q / (1 + LAMBDA);
        }
        return v;
    }

    private Selection select(SiftOptions.Builder options) {
        return selector.select(new SelectionProblem(CANDIDATES, QUERY, DIMS), options.lambda(LAMBDA).build());
    }

    @Test
    public void testTrajectoryMatchesClosedForm() {
        Selection s = select(SiftOptions.builder(10));
        double[] v = closedFormVariances();
        assertEquals(v[0], s.priorVariance(), 1e-12);
        assertArrayEquals(GREEDY_ORDER, s.picks());
        for (int n = 0; n < 4; n++) {
            assertEquals(v[n + 1], s.variance(n), 1e-12);
            assertEquals(v[n] - v[n + 1], s.gain(n), 1e-12);
        }
        // The rounded table in the class comment.
        assertEquals(25.26, s.priorVariance(), 1e-6);
        assertEquals(9.4184, s.variance(0), 1e-4);
        assertEquals(0.5075, s.variance(1), 1e-4);
        assertEquals(0.2600, s.variance(2), 1e-4);
        assertEquals(0.2501, s.variance(3), 1e-4);
    }

    /**
     * alpha = 0.6: α·n·√V(S_n) = 0.6·{1·3.069, 2·0.7124, 3·0.5099, 4·0.5001} = {1.841, 0.855, 0.918, 1.200}, so the
     * mask is [no, yes, yes, no]: neither a prefix nor a suffix, and every step is still made.
     */
    @Test
    public void testAlphaIsAMaskNotAPrefix() {
        Selection s = select(SiftOptions.builder(10).alpha(0.6));
        double[] v = closedFormVariances();
        boolean[] expected = new boolean[4];
        for (int n = 0; n < 4; n++) {
            expected[n] = 0.6 * (n + 1) * Math.sqrt(v[n + 1]) <= 1;
        }
        assertArrayEquals(new boolean[] { false, true, true, false }, expected); // the hand computation above
        assertEquals(4, s.steps());
        for (int n = 0; n < 4; n++) {
            assertEquals("step " + n, expected[n], s.kept(n));
        }
        assertArrayEquals(new int[] { 2, 3 }, s.selected());
        assertArrayEquals(GREEDY_ORDER, s.picks());
    }

    /** A large alpha masks everything; a tiny one keeps everything. */
    @Test
    public void testAlphaExtremes() {
        assertArrayEquals(new int[0], select(SiftOptions.builder(10).alpha(100)).selected());
        assertArrayEquals(GREEDY_ORDER, select(SiftOptions.builder(10).alpha(1e-6)).selected());
    }

    /**
     * min_gain stops before the first pick whose gain is below min_gain·V([]): with V([]) = 25.26, a fraction of
     * 0.01 is 0.2526, above the third gain (0.2475), so two picks; 0.005 (0.1263) lets the third through and
     * stops before the fourth (0.0099); 0.5 (12.63) stops before the second (8.911); 0.7 (17.68) is above even
     * the first gain (15.84), so nothing is picked; 0 never stops.
     */
    @Test
    public void testMinGainStopsBeforeTheWeakPick() {
        double[] v = closedFormVariances();
        double[] gains = { v[0] - v[1], v[1] - v[2], v[2] - v[3], v[3] - v[4] };
        double prior = v[0];
        // The hand computation, checked against the closed form.
        assertEquals(true, gains[2] < 0.01 * prior && gains[1] >= 0.01 * prior);
        assertEquals(true, gains[3] < 0.005 * prior && gains[2] >= 0.005 * prior);
        assertEquals(true, gains[1] < 0.5 * prior && gains[0] >= 0.5 * prior);
        assertEquals(true, gains[0] < 0.7 * prior);

        assertArrayEquals(new int[] { 1, 2 }, select(SiftOptions.builder(10).minGain(0.01)).picks());
        assertArrayEquals(new int[] { 1, 2, 3 }, select(SiftOptions.builder(10).minGain(0.005)).picks());
        assertArrayEquals(new int[] { 1 }, select(SiftOptions.builder(10).minGain(0.5)).picks());
        Selection none = select(SiftOptions.builder(10).minGain(0.7));
        assertEquals(0, none.steps());
        assertEquals(prior, none.priorVariance(), 1e-12);
        assertArrayEquals(GREEDY_ORDER, select(SiftOptions.builder(10).minGain(0)).picks());
    }

    /**
     * target_variance stops after the pick that brings V(S_n) to at most target_variance·V([]): 0.1 (2.526) is
     * reached by V2 = 0.5075, so two picks, the second included; 0.015 (0.3789) first by V3 = 0.2600; 1 right
     * after the first pick; 0 is never reached here (V4 = 0.2501 > 0), so all four.
     */
    @Test
    public void testTargetVarianceStopsAfterReachingIt() {
        double[] v = closedFormVariances();
        double prior = v[0];
        assertEquals(true, v[1] > 0.1 * prior && v[2] <= 0.1 * prior);
        assertEquals(true, v[2] > 0.015 * prior && v[3] <= 0.015 * prior);

        Selection two = select(SiftOptions.builder(10).targetVariance(0.1));
        assertArrayEquals(new int[] { 1, 2 }, two.picks());
        assertEquals(v[2], two.variance(1), 1e-12);
        assertArrayEquals(new int[] { 1, 2, 3 }, select(SiftOptions.builder(10).targetVariance(0.015)).picks());
        assertArrayEquals(new int[] { 1 }, select(SiftOptions.builder(10).targetVariance(1)).picks());
        assertArrayEquals(GREEDY_ORDER, select(SiftOptions.builder(10).targetVariance(0)).picks());
    }

    /** The rules compose: the prefix cuts decide how many steps are made, then alpha masks those steps. */
    @Test
    public void testRulesCompose() {
        // size 3 caps the pass; min_gain 0.005 would allow 3; alpha 0.6 masks step 1 → kept steps 2 and 3.
        Selection s = select(SiftOptions.builder(3).minGain(0.005).alpha(0.6));
        assertArrayEquals(new int[] { 1, 2, 3 }, s.picks());
        assertArrayEquals(new int[] { 2, 3 }, s.selected());
        // target_variance 0.1 stops after step 2 even though min_gain would go on.
        Selection t = select(SiftOptions.builder(10).minGain(0.005).targetVariance(0.1).alpha(0.6));
        assertArrayEquals(new int[] { 1, 2 }, t.picks());
        assertArrayEquals(new int[] { 2 }, t.selected());
        // size caps before either rule.
        assertArrayEquals(new int[] { 1 }, select(SiftOptions.builder(1).minGain(0).targetVariance(0)).picks());
    }

    /**
     * Two correlated candidates, x1 = e1 and x2 = (0.6, 0.8), target q = e1, checked against the 2×2 inverse:
     * V({x1, x2}) = 1 − kᵀ(K + λI)⁻¹k with K = [[1, a], [a, ‖x2‖²]], k = (1, a), a = x1·x2.
     */
    @Test
    public void testTwoCorrelatedCandidatesAgainstTwoByTwoInverse() {
        float[] candidates = { 0.6f, 0.8f, 1f, 0f };
        float[] q = { 1f, 0f };
        double lambda = 0.1;
        Selection s = selector.select(new SelectionProblem(candidates, q, 2), SiftOptions.builder(2).lambda(lambda).build());
        // First pick: gain(x) = (q·x)²/(‖x‖² + λ): x1 (position 1) wins with 1/1.1 against 0.36/1.1.
        assertArrayEquals(new int[] { 1, 0 }, s.picks());
        assertEquals(1 - 1 / (1 + lambda), s.variance(0), 1e-15);
        double a = 0.6f, b = 0.8f;
        double k11 = 1 + lambda, k12 = a, k22 = a * a + b * b + lambda;
        double det = k11 * k22 - k12 * k12;
        // kᵀ M⁻¹ k with M⁻¹ = [[k22, −k12], [−k12, k11]] / det and k = (1, a).
        double quad = (k22 * 1 - 2 * k12 * a + k11 * a * a) / det;
        assertEquals(1 - quad, s.variance(1), 1e-14);
    }

    /**
     * Keeping the first pick: a {@code min_gain} above the first gain stops before any pick, unless the first pick is
     * kept, which then ends the selection after it; a mask that keeps nothing keeps the first pick; a mask that keeps
     * a later pick is left alone.
     */
    @Test
    public void testKeepFirstPick() {
        SelectionProblem problem = new SelectionProblem(CANDIDATES, QUERY, DIMS);
        double[] v = closedFormVariances();
        SiftOptions.Builder highMinGain = SiftOptions.builder(4).lambda(LAMBDA).minGain(0.9); // the first gain is 0.63 of V([])
        assertEquals(0, selector.select(problem, highMinGain.build()).steps());
        Selection kept = selector.select(problem, highMinGain.keepFirstPick(true).build());
        assertArrayEquals(new int[] { GREEDY_ORDER[0] }, kept.selected());
        assertEquals(v[1], kept.variance(0), 1e-12 * v[0]);

        // alpha · n · sqrt(V_n) <= 1 keeps nothing with alpha = 1 (sqrt(V_4) = 0.5, times 4 is 2)
        SiftOptions.Builder strictMask = SiftOptions.builder(4).lambda(LAMBDA).alpha(1.0);
        assertEquals(0, selector.select(problem, strictMask.build()).selected().length);
        assertArrayEquals(new int[] { GREEDY_ORDER[0] }, selector.select(problem, strictMask.keepFirstPick(true).build()).selected());

        // alpha = 0.45 keeps later picks (step 2: 0.45 · 2 · sqrt(0.5075) = 0.64) but not the first (0.45 · sqrt(9.418) = 1.38)
        SiftOptions.Builder laterKept = SiftOptions.builder(4).lambda(LAMBDA).alpha(0.45).keepFirstPick(true);
        Selection later = selector.select(problem, laterKept.build());
        assertEquals(4, later.steps());
        assertEquals(false, later.kept(0));
        assertEquals(true, later.kept(3));
    }
}
