package dev.sift.engine;

import dev.sift.testing.BruteForceVariance;

import dev.sift.engine.kernels.ScalarKernelOps;
import org.junit.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * Greedy SIFT against {@link BruteForceVariance}: the variance trajectory, every greedy choice, monotonicity,
 * the tie rule, redundancy of planted copies, and activeft's repeats.
 */
public class SiftSelectorBruteForceTests {

    /**
     * Agreement between the engine's incremental posterior and the Cholesky reference, as a fraction of the
     * prior variance {@code V([])}. Both are double computations of the same quantity; what separates them is
     * rounding amplified by the conditioning of {@code K_SS + λI} (largest eigenvalue / λ, up to ~10⁷ here);
     * the worst seen is about 3e-15.
     */
    private static final double VARIANCE_TOLERANCE = 1e-11;

    private static final double[] LAMBDAS = { 1e-3, 0.01, 0.1, 1.0 };

    private final SiftSelector selector = new SiftSelector(ScalarKernelOps.INSTANCE);

    /** Problem sizes, data kinds and lambdas drawn from one seed; everything is checked against the reference. */
    @Test
    public void testRandomProblemsAgainstBruteForce() {
        double worst = 0;
        for (int seed = 0; seed < 120; seed++) {
            Random random = new Random(seed);
            int candidates = seed % 10 == 9 ? 200 + random.nextInt(101) : 1 + random.nextInt(seed % 3 == 0 ? 120 : 40);
            int dims = RandomProblems.DIMS[random.nextInt(RandomProblems.DIMS.length)];
            boolean unit = random.nextBoolean();
            int targetCount = 1 + random.nextInt(4);
            double lambda = LAMBDAS[random.nextInt(LAMBDAS.length)];
            // Keep the reference's cost (≈ K·N⁴/24 per step set) modest for the big K.
            int size = 1 + random.nextInt(candidates >= 200 ? 24 : Math.min(candidates, 40));
            float[] c = RandomProblems.candidates(random, candidates, dims, unit);
            float[] t = RandomProblems.targets(random, c, targetCount, dims, unit);
            worst = Math.max(worst, checkAgainstBruteForce(c, t, dims, lambda, size, false, "seed " + seed));
        }
        System.out.println("worst |V_engine - V_reference| / V([]) over the random problems: " + worst);
        assertTrue("worst relative disagreement " + worst, worst <= VARIANCE_TOLERANCE);
    }

    /** Large K and d of 100 (not a multiple of 8) with long selections. */
    @Test
    public void testLargeProblems() {
        for (int seed = 0; seed < 3; seed++) {
            Random random = new Random(1000 + seed);
            int dims = seed == 0 ? 100 : 1 + random.nextInt(99);
            float[] c = RandomProblems.candidates(random, 300, dims, seed != 1);
            float[] t = RandomProblems.targets(random, c, 1 + seed, dims, seed != 1);
            checkAgainstBruteForce(c, t, dims, 0.01, 30, false, "large seed " + seed);
        }
    }

    /**
     * Runs the engine, then checks (a) each {@code V(S_n)} against the reference, (b) each pick minimises the
     * reference's {@code V(S_{n-1} ∪ {x})} over the remaining candidates, up to a near-tie, (d) V never rises,
     * and that the reported gains are the variance decrements. Returns the worst relative disagreement seen.
     */
    private double checkAgainstBruteForce(float[] c, float[] t, int dims, double lambda, int size, boolean repeats, String where) {
        SelectionProblem problem = new SelectionProblem(c, t, dims);
        SiftOptions options = SiftOptions.builder(size).lambda(lambda).allowRepeats(repeats).build();
        Selection selection = selector.select(problem, options);
        BruteForceVariance reference = new BruteForceVariance(c, t, dims, lambda);
        double prior = reference.prior();
        double tolerance = VARIANCE_TOLERANCE * prior;
        assertEquals(where + " prior", prior, selection.priorVariance(), 1e-12 * prior);
        int expectedSteps = repeats ? size : Math.min(size, reference.candidateCount());
        assertEquals(where + " steps", expectedSteps, selection.steps());

        int[] picks = selection.picks();
        boolean[] taken = new boolean[reference.candidateCount()];
        double worst = 0;
        double previous = prior;
        for (int n = 0; n < picks.length; n++) {
            String at = where + " step " + n + " " + selection;
            // (b) the pick is the reference's argmin of V(S ∪ {x}) over the remaining candidates.
            double best = Double.POSITIVE_INFINITY;
            int bestX = -1;
            for (int x = 0; x < reference.candidateCount(); x++) {
                if (taken[x] == false) {
                    double v = reference.varianceWith(picks, n, x);
                    if (v < best) {
                        best = v;
                        bestX = x;
                    }
                }
            }
            assertFalse(at + ": picked a taken candidate " + picks[n], taken[picks[n]]);
            double picked = reference.varianceWith(picks, n, picks[n]);
            if (picked > best + tolerance) {
                fail(at + ": picked " + picks[n] + " with V=" + picked + " but " + bestX + " gives V=" + best);
            }
            // (a) the engine's trajectory equals the reference.
            double engine = selection.variance(n);
            worst = Math.max(worst, Math.abs(engine - picked) / prior);
            assertEquals(at + ": V(S_n)", picked, engine, tolerance);
            assertEquals(at + ": gain", previous - engine, selection.gain(n), tolerance);
            // (d) non-increasing, exactly: each gain is a ratio of a square and a positive number.
            assertTrue(at + ": gain " + selection.gain(n), selection.gain(n) >= 0);
            assertTrue(at + ": V rose", engine <= previous);
            assertTrue(at + ": kept without a mask", selection.kept(n));
            previous = engine;
            if (repeats == false) {
                taken[picks[n]] = true;
            }
        }
        return worst;
    }

    /** (c) After picking x, neither its exact copy nor its near copy is picked next, though kNN order would. */
    @Test
    public void testPlantedDuplicatesAreNotPickedNext() {
        int originalFirst = 0;
        for (int seed = 0; seed < 40; seed++) {
            Random random = new Random(seed);
            int dims = 8 + random.nextInt(120);
            int count = 20 + random.nextInt(100);
            float[] query = RandomProblems.gaussian(random, dims, 1.0);
            float[][] vectors = new float[count][];
            for (int i = 0; i < count; i++) {
                vectors[i] = RandomProblems.gaussian(random, dims, 1.0);
                if (dotD(vectors[i], query) < 0) { // kNN hits are on the query's side
                    for (int k = 0; k < dims; k++) {
                        vectors[i][k] = -vectors[i][k];
                    }
                }
            }
            // Sort by similarity to the query, as a kNN search would return them.
            Arrays.sort(vectors, (u, v) -> Double.compare(dotD(v, query), dotD(u, query)));
            float[] top = vectors[0];
            // A near copy: 0.99·x plus tiny noise.
            float[] nearCopy = RandomProblems.gaussian(random, dims, 1e-4);
            for (int i = 0; i < dims; i++) {
                nearCopy[i] += 0.99f * top[i];
            }
            float[] flat = new float[(count + 2) * dims];
            System.arraycopy(top, 0, flat, 0, dims);
            System.arraycopy(top.clone(), 0, flat, dims, dims); // exact copy: position 1, second in kNN order
            System.arraycopy(nearCopy, 0, flat, 2 * dims, dims); // near copy: position 2
            for (int i = 1; i < count; i++) {
                System.arraycopy(vectors[i], 0, flat, (i + 2) * dims, dims);
            }

            Selection selection = selector.select(new SelectionProblem(flat, query, dims), SiftOptions.builder(2).build());
            String where = "seed " + seed + " " + selection;
            // One of the three copies of x comes first (the original, unless the near copy's noise makes it win
            // by a hair); none of the other two comes next.
            int first = selection.pick(0);
            assertTrue(where, first <= 2);
            assertTrue(where, selection.pick(1) > 2);
            if (first != 0) {
                continue;
            }
            originalFirst++;
            // The second pick is the one made with the copies absent. (Later on, once the rest of the query is
            // explained, re-observing x through its copy can legitimately win: it halves x's noise.)
            float[] without = new float[count * dims];
            System.arraycopy(flat, 0, without, 0, dims);
            System.arraycopy(flat, 3 * dims, without, dims, (count - 1) * dims);
            Selection alone = selector.select(new SelectionProblem(without, query, dims), SiftOptions.builder(2).build());
            assertEquals(where + " vs " + alone, alone.pick(1) + 2, selection.pick(1));
        }
        assertTrue("original first in only " + originalFirst + " of 40", originalFirst >= 30);
    }

    /** An anti-aligned copy (−x) carries exactly x's information: the sign of k(a,x) does not matter. */
    @Test
    public void testAntiAlignedCopyIsRedundantAndTiesWithOriginal() {
        Random random = new Random(7);
        int dims = 24;
        float[] x = RandomProblems.gaussian(random, dims, 1.0);
        float[] query = new float[dims];
        float[] noise = RandomProblems.gaussian(random, dims, 0.3);
        for (int i = 0; i < dims; i++) {
            query[i] = x[i] + noise[i];
        }
        // The other candidate explains the part of the query that x does not.
        float[] other = noise.clone();
        float[] flat = new float[3 * dims];
        for (int i = 0; i < dims; i++) {
            flat[i] = -x[i]; // position 0: −x, least similar to the query in kNN terms
            flat[dims + i] = other[i];
            flat[2 * dims + i] = x[i];
        }
        Selection s = selector.select(new SelectionProblem(flat, query, dims), SiftOptions.builder(3).build());
        // −x and x have bit-identical gains; the tie goes to the earlier position, and the other copy comes last.
        assertEquals(s.toString(), 0, s.pick(0));
        assertEquals(s.toString(), 1, s.pick(1));
        assertEquals(s.toString(), 2, s.pick(2));
        assertTrue(s.toString(), s.gain(2) < s.gain(1));
    }

    /** (e) Exact ties go to the earlier incoming position. */
    @Test
    public void testTiesGoToEarlierPosition() {
        Random random = new Random(11);
        for (int dims : new int[] { 1, 3, 8, 13, 64 }) {
            float[] x = RandomProblems.gaussian(random, dims, 2.0);
            float[] y = RandomProblems.gaussian(random, dims, 0.5);
            float[] q = RandomProblems.gaussian(random, dims, 1.0);
            // All identical: the picks are 0, 1, 2, … in order.
            int count = 6;
            float[] same = new float[count * dims];
            for (int i = 0; i < count; i++) {
                System.arraycopy(x, 0, same, i * dims, dims);
            }
            Selection s = selector.select(new SelectionProblem(same, q, dims), SiftOptions.builder(count).build());
            assertEquals(s.toString(), count, s.steps());
            for (int n = 0; n < count; n++) {
                assertEquals("dims " + dims + " " + s, n, s.pick(n));
            }
            // [y, x, x]: if x wins the first step, the first x (position 1) is picked, not position 2.
            float[] mixed = new float[3 * dims];
            System.arraycopy(y, 0, mixed, 0, dims);
            System.arraycopy(x, 0, mixed, dims, dims);
            System.arraycopy(x, 0, mixed, 2 * dims, dims);
            Selection m = selector.select(new SelectionProblem(mixed, q, dims), SiftOptions.builder(3).build());
            int[] picks = m.picks();
            int first = indexOf(picks, 1), second = indexOf(picks, 2);
            assertTrue("dims " + dims + " " + m, first < second);
        }
    }

    /** (f) With repeats allowed a candidate can be picked again; the trajectory matches the reference with repeated rows. */
    @Test
    public void testRepeatsMatchBruteForceWithRepeatedRows() {
        int sawRepeat = 0;
        for (int seed = 0; seed < 30; seed++) {
            Random random = new Random(500 + seed);
            int candidates = 1 + random.nextInt(6);
            int dims = RandomProblems.DIMS[random.nextInt(RandomProblems.DIMS.length)];
            int size = candidates + 1 + random.nextInt(10); // more steps than candidates: a repeat is forced
            float[] c = RandomProblems.candidates(random, candidates, dims, random.nextBoolean());
            float[] t = RandomProblems.targets(random, c, 1 + random.nextInt(3), dims, false);
            double lambda = LAMBDAS[random.nextInt(LAMBDAS.length)];
            checkAgainstBruteForce(c, t, dims, lambda, size, true, "repeats seed " + seed);
            int[] picks = selector.select(new SelectionProblem(c, t, dims), SiftOptions.builder(size).lambda(lambda).allowRepeats(true).build())
                .picks();
            assertEquals(size, picks.length);
            if (Arrays.stream(picks).distinct().count() < picks.length) {
                sawRepeat++;
            }
        }
        assertEquals(30, sawRepeat);
    }

    /** One candidate observed again and again; with x = q = e₁, n observations leave V_n = 1 − n/(n + λ) = λ/(n + λ). */
    @Test
    public void testRepeatedSingleCandidateClosedForm() {
        double lambda = 0.25;
        float[] x = { 1f, 0f };
        Selection s = selector.select(new SelectionProblem(x, x.clone(), 2), SiftOptions.builder(5).lambda(lambda).allowRepeats(true).build());
        assertEquals(5, s.steps());
        for (int n = 0; n < 5; n++) {
            assertEquals(0, s.pick(n));
            assertEquals(lambda / (n + 1 + lambda), s.variance(n), 1e-15);
        }
        // Without repeats the pool runs out after one pick.
        assertEquals(1, selector.select(new SelectionProblem(x, x.clone(), 2), SiftOptions.builder(5).lambda(lambda).build()).steps());
    }

    @Test
    public void testNoCandidates() {
        Selection s = selector.select(new SelectionProblem(new float[0], new float[] { 1f, 2f }, 2), SiftOptions.builder(3).build());
        assertEquals(0, s.steps());
        assertEquals(5.0, s.priorVariance(), 0.0);
        assertEquals(0, s.selected().length);
    }

    @Test
    public void testCancellationIsCheckedEveryStep() {
        Random random = new Random(3);
        float[] c = RandomProblems.candidates(random, 50, 16, true);
        float[] t = RandomProblems.targets(random, c, 1, 16, true);
        int[] checks = { 0 };
        RuntimeException stop = new RuntimeException("cancelled");
        try {
            selector.select(new SelectionProblem(c, t, 16), SiftOptions.builder(20).build(), () -> {
                if (++checks[0] == 4) {
                    throw stop;
                }
            });
            fail("not cancelled");
        } catch (RuntimeException e) {
            assertTrue(e == stop);
        }
        assertEquals(4, checks[0]);
    }

    private static int indexOf(int[] values, int value) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == value) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }

    private static double dotD(float[] u, float[] v) {
        double s = 0;
        for (int i = 0; i < u.length; i++) {
            s += (double) u[i] * v[i];
        }
        return s;
    }
}
