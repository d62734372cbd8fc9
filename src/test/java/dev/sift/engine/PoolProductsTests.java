package dev.sift.engine;

import dev.sift.engine.kernels.ScalarKernelOps;
import org.junit.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.Assert.assertEquals;

/**
 * {@link PoolProducts} returns the exact prior products of whatever members it is given, however the pool changed
 * since the last call, and computes products only for members new to the pool.
 */
public class PoolProductsTests {

    @Test
    public void testPriorProductsAreExactAcrossChangingPools() {
        Random random = new Random(3);
        for (int round = 0; round < 20; round++) {
            int candidates = 20 + random.nextInt(200);
            int dims = RandomProblems.DIMS[random.nextInt(RandomProblems.DIMS.length)];
            float[] vectors = RandomProblems.candidates(random, candidates, dims, random.nextBoolean());
            SelectionProblem problem = new SelectionProblem(vectors, RandomProblems.gaussian(random, dims, 1.0), dims);
            int capacity = 1 + random.nextInt(Math.min(candidates, 24));
            PoolProducts pool = new PoolProducts(ScalarKernelOps.INSTANCE, problem, capacity);
            for (int call = 0; call < 30; call++) {
                // Mostly small changes, as the greedy's pool changes; sometimes a whole new pool.
                int[] members = randomMembers(random, candidates, 1 + random.nextInt(capacity));
                double[][] prior = pool.prior(members);
                for (int u = 0; u < members.length; u++) {
                    for (int v = 0; v < members.length; v++) {
                        double expected = ScalarKernelOps.INSTANCE.dot(vectors, members[u] * dims, vectors, members[v] * dims, dims);
                        assertEquals("round " + round + " call " + call, Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(prior[u][v]));
                    }
                }
            }
        }
    }

    @Test
    public void testOnlyMembersNewToThePoolCostProducts() {
        Random random = new Random(5);
        int candidates = 100, dims = 16;
        SelectionProblem problem = new SelectionProblem(RandomProblems.candidates(random, candidates, dims, true), RandomProblems.gaussian(random, dims, 1.0), dims);
        CountingKernelOps ops = new CountingKernelOps(4);
        PoolProducts pool = new PoolProducts(ops, problem, 8);

        pool.prior(new int[] { 1, 2, 3, 4, 5, 6, 7, 8 });
        assertEquals(8, ops.rowsRead);
        pool.prior(new int[] { 8, 7, 6, 5, 4, 3, 2, 1 });
        assertEquals("the same pool in another order", 8, ops.rowsRead);
        pool.prior(new int[] { 1, 2, 3, 4, 5, 6, 7, 42 });
        assertEquals("one new member", 9, ops.rowsRead);
        pool.prior(new int[] { 42, 1 });
        assertEquals("a smaller pool of known members", 9, ops.rowsRead);
        pool.prior(new int[] { 8, 9, 42, 1 });
        assertEquals("two members new again", 11, ops.rowsRead);
    }

    private static int[] randomMembers(Random random, int candidates, int size) {
        int[] all = new int[candidates];
        for (int i = 0; i < candidates; i++) {
            all[i] = i;
        }
        // A bias to low positions makes members recur from call to call.
        int range = random.nextInt(4) == 0 ? candidates : Math.min(candidates, size + 5);
        for (int i = 0; i < size; i++) {
            int j = i + random.nextInt(range - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return Arrays.copyOf(all, size);
    }
}
