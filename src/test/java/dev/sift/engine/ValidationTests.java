package dev.sift.engine;

import dev.sift.engine.kernels.ScalarKernelOps;
import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/** Invalid {@link SiftOptions}, {@link SelectionProblem} and MMR arguments fail with a message naming the parameter. */
public class ValidationTests {

    private static void expectError(String mustContain, Runnable action) {
        try {
            action.run();
            fail("expected an IllegalArgumentException mentioning [" + mustContain + "]");
        } catch (IllegalArgumentException e) {
            assertTrue("message [" + e.getMessage() + "] does not mention [" + mustContain + "]", e.getMessage().contains(mustContain));
        }
    }

    @Test
    public void testOptionsDefaults() {
        SiftOptions o = SiftOptions.builder(5).build();
        assertEquals(5, o.size());
        assertEquals(SiftOptions.DEFAULT_LAMBDA, o.lambda(), 0.0);
        assertEquals(0.01, o.lambda(), 0.0);
        assertEquals(false, o.allowRepeats());
        assertTrue(Double.isNaN(o.alpha()));
        assertTrue(Double.isNaN(o.minGain()));
        assertTrue(Double.isNaN(o.targetVariance()));
    }

    @Test
    public void testOptionsAcceptBoundaryValues() {
        SiftOptions o = SiftOptions.builder(1).lambda(Double.MIN_VALUE).alpha(1e300).minGain(0).targetVariance(1).build();
        assertEquals(1, o.size());
        assertEquals(0.0, o.minGain(), 0.0);
        assertEquals(1.0, o.targetVariance(), 0.0);
        assertEquals(1.0, SiftOptions.builder(1).minGain(1).build().minGain(), 0.0);
        assertEquals(0.0, SiftOptions.builder(1).targetVariance(0).build().targetVariance(), 0.0);
    }

    @Test
    public void testSize() {
        expectError("[size]", () -> SiftOptions.builder(0));
        expectError("[size]", () -> SiftOptions.builder(-3));
        expectError("-3", () -> SiftOptions.builder(-3));
    }

    @Test
    public void testLambda() {
        for (double bad : new double[] { 0, -0.0, -1, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY }) {
            expectError("[lambda]", () -> SiftOptions.builder(3).lambda(bad));
        }
        expectError("-1.0", () -> SiftOptions.builder(3).lambda(-1));
    }

    @Test
    public void testAlpha() {
        for (double bad : new double[] { 0, -2, Double.NaN, Double.POSITIVE_INFINITY }) {
            expectError("[alpha]", () -> SiftOptions.builder(3).alpha(bad));
        }
    }

    @Test
    public void testMinGain() {
        for (double bad : new double[] { -0.1, 1.5, Double.NaN, Double.POSITIVE_INFINITY }) {
            expectError("[min_gain]", () -> SiftOptions.builder(3).minGain(bad));
        }
        expectError("1.5", () -> SiftOptions.builder(3).minGain(1.5));
    }

    @Test
    public void testTargetVariance() {
        for (double bad : new double[] { -0.1, 1.0000001, Double.NaN, Double.NEGATIVE_INFINITY }) {
            expectError("[target_variance]", () -> SiftOptions.builder(3).targetVariance(bad));
        }
    }

    @Test
    public void testProblemDims() {
        expectError("dims", () -> new SelectionProblem(new float[4], new float[2], 0));
        expectError("dims", () -> new SelectionProblem(new float[4], new float[2], -1));
    }

    @Test
    public void testProblemRaggedCandidates() {
        expectError("candidates", () -> new SelectionProblem(new float[5], new float[2], 2));
    }

    @Test
    public void testProblemTargets() {
        expectError("targets", () -> new SelectionProblem(new float[4], new float[0], 2));
        expectError("targets", () -> new SelectionProblem(new float[4], new float[3], 2));
    }

    @Test
    public void testProblemNonFiniteValuesNameWhere() {
        float[] c = new float[6];
        c[5] = Float.NaN;
        expectError("candidate 1", () -> new SelectionProblem(c, new float[3], 3));
        expectError("dimension 2", () -> new SelectionProblem(c, new float[3], 3));
        float[] t = { 1, Float.POSITIVE_INFINITY, 0 };
        expectError("target 0", () -> new SelectionProblem(new float[6], t, 3));
        expectError("Infinity", () -> new SelectionProblem(new float[6], t, 3));
    }

    @Test
    public void testProblemShape() {
        SelectionProblem p = new SelectionProblem(new float[12], new float[6], 3);
        assertEquals(4, p.candidateCount());
        assertEquals(2, p.targetCount());
        assertEquals(3, p.dims());
        assertEquals(0, new SelectionProblem(new float[0], new float[3], 3).candidateCount());
    }

    @Test
    public void testMmrLambda() {
        MmrSelector mmr = new MmrSelector(ScalarKernelOps.INSTANCE);
        SelectionProblem p = new SelectionProblem(new float[] { 1, 0, 0, 1 }, new float[] { 1, 0 }, 2);
        for (double bad : new double[] { -0.01, 1.01, Double.NaN }) {
            expectError("[mmr_lambda]", () -> mmr.select(p, 2, bad, 0.01, Cancellation.NONE));
        }
    }

    @Test
    public void baselinesRefuseASizeBelowOne() {
        SelectionProblem problem = new SelectionProblem(new float[] { 1, 0, 0, 1 }, new float[] { 1, 0 }, 2);
        dev.sift.engine.kernels.KernelOps ops = dev.sift.engine.kernels.ScalarKernelOps.INSTANCE;
        IllegalArgumentException nearest = org.junit.Assert.assertThrows(
            IllegalArgumentException.class,
            () -> new NearestSelector(ops).select(problem, 0, 0.01, Cancellation.NONE)
        );
        org.junit.Assert.assertTrue(nearest.getMessage(), nearest.getMessage().contains("[size] must be at least 1, got 0"));
        IllegalArgumentException mmr = org.junit.Assert.assertThrows(
            IllegalArgumentException.class,
            () -> new MmrSelector(ops).select(problem, -3, 0.5, 0.01, Cancellation.NONE)
        );
        org.junit.Assert.assertTrue(mmr.getMessage(), mmr.getMessage().contains("[size] must be at least 1, got -3"));
    }
}
