package dev.sift.engine;

import dev.sift.testing.BruteForceVariance;

import dev.sift.engine.backend.CpuSelectionBackend;
import dev.sift.engine.backend.SelectionListener;
import dev.sift.engine.backend.opencl.OpenClDevice;
import dev.sift.engine.backend.opencl.OpenClSelectionBackend;
import dev.sift.engine.kernels.ScalarKernelOps;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * The OpenCL backend's kernels on whatever OpenCL device is installed (POCL's CPU device in CI, see
 * {@code scripts/setup}) against the CPU engine and the brute-force V(S): the same picks wherever the two best
 * candidates are not tied within {@link #TIE}, the variance trajectory within {@link #VARIANCE_TOLERANCE} of the
 * reference; and the backend around them: batching, fallback on device errors, no leaked buffers, cancellation.
 *
 * <p>Without an OpenCL device the class is skipped, unless {@code -Dsift.test.requireOpenCl=true} (set by
 * {@code scripts/test}) makes that a failure.
 */
public class OpenClBackendTests {

    /** Two candidates whose V(S ∪ {x}) differ by at most this fraction of V([]) are tied: rounding may pick either. */
    private static final double TIE = 1e-9;
    /** The device's V(S_n) against the brute-force reference, as a fraction of V([]). */
    private static final double VARIANCE_TOLERANCE = 1e-9;

    private static final CpuSelectionBackend CPU = new CpuSelectionBackend(ScalarKernelOps.INSTANCE);

    /** The test's own device (closed with its backend), so that its buffer count is the test's alone. */
    private OpenClDevice device;

    @Before
    public void openDevice() {
        device = open();
    }

    private static OpenClDevice open() {
        try {
            return OpenClDevice.open(OpenClDevice.Eligible.ANY);
        } catch (OpenClDevice.Unavailable e) {
            if (e.deviceFound() || Boolean.getBoolean("sift.test.requireOpenCl")) {
                throw new AssertionError("no OpenCL device for the backend tests (scripts/setup installs POCL): " + e.getMessage(), e);
            }
            Assume.assumeTrue("skipped, no OpenCL device: " + e.getMessage(), false);
            return null;
        }
    }

    private OpenClSelectionBackend backend(SelectionListener listener, long batchWaitNanos) {
        return backend(device, new CpuSelectionBackend(ScalarKernelOps.INSTANCE, listener), listener, 0, batchWaitNanos, () -> {}, m -> {});
    }

    private static OpenClSelectionBackend backend(
        OpenClDevice device,
        CpuSelectionBackend cpu,
        SelectionListener listener,
        long minElements,
        long batchWaitNanos,
        Runnable afterUpload,
        java.util.function.Consumer<String> warnings
    ) {
        return new OpenClSelectionBackend(
            device,
            cpu,
            listener,
            minElements,
            device.info().globalMemoryBytes() / 4,
            batchWaitNanos,
            64,
            r -> new Thread(r, "sift-opencl-test"),
            warnings,
            afterUpload
        );
    }

    @Test
    public void testRandomProblemsMatchTheCpuEngineAndTheReference() {
        OpenClSelectionBackend gpu = backend(SelectionListener.NONE, 0);
        try {
            double worst = 0;
            int compared = 0;
            for (int seed = 0; seed < 60; seed++) {
                Random random = new Random(seed);
                int candidates = 1 + random.nextInt(seed % 4 == 0 ? 300 : 60);
                int dims = RandomProblems.DIMS[random.nextInt(RandomProblems.DIMS.length)];
                boolean unit = random.nextBoolean();
                int targets = 1 + random.nextInt(3);
                double lambda = new double[] { 1e-3, 0.01, 0.1, 1.0 }[random.nextInt(4)];
                float[] c = RandomProblems.candidates(random, candidates, dims, unit);
                float[] t = RandomProblems.targets(random, c, targets, dims, unit);
                SiftOptions.Builder options = SiftOptions.builder(1 + random.nextInt(Math.min(candidates, 30))).lambda(lambda);
                switch (seed % 6) {
                    case 1 -> options.minGain(random.nextDouble() * 0.05);
                    case 2 -> options.targetVariance(random.nextDouble() * 0.5);
                    case 3 -> options.alpha(0.5 + random.nextDouble() * 5);
                    case 4 -> options.allowRepeats(true);
                    case 5 -> options.minGain(0.99).keepFirstPick(true);
                    default -> {}
                }
                SelectionProblem problem = new SelectionProblem(c, t, dims);
                SiftOptions o = options.build();
                worst = Math.max(worst, compare(gpu.sift(problem, o, Cancellation.NONE), CPU.sift(problem, o, Cancellation.NONE), problem, o, "seed " + seed));
                compared++;
            }
            System.out.println("OpenCL [" + device.info().name() + "]: " + compared + " problems, worst |V_device - V_reference| / V([]) = " + worst);
            assertEquals(0, device.liveBuffers());
        } finally {
            gpu.close();
        }
    }

    /**
     * Step by step: the same pick as the CPU engine unless the two are tied by the reference, in which case the
     * rest of the trajectory may differ and is checked against the reference only; returns the worst variance error.
     */
    private static double compare(Selection onDevice, Selection cpu, SelectionProblem problem, SiftOptions options, String what) {
        BruteForceVariance reference = new BruteForceVariance(problem.candidates(), problem.targets(), problem.dims(), options.lambda());
        double prior = reference.variance(new int[0]);
        assertEquals(what + ": prior", cpu.priorVariance(), onDevice.priorVariance(), 1e-12 * prior);
        int[] picks = onDevice.picks();
        boolean diverged = false;
        double worst = 0;
        for (int n = 0; n < onDevice.steps(); n++) {
            double expected = reference.variance(picks, n + 1);
            double error = Math.abs(onDevice.variance(n) - expected) / prior;
            worst = Math.max(worst, error);
            assertTrue(what + ": V(S_" + (n + 1) + ") off by " + error + " of V([])", error <= VARIANCE_TOLERANCE);
            if (diverged == false && n < cpu.steps() && cpu.pick(n) != picks[n]) {
                double viaDevice = reference.varianceWith(picks, n, picks[n]);
                double viaCpu = reference.varianceWith(picks, n, cpu.pick(n));
                assertTrue(
                    what + ": step " + n + " picked " + picks[n] + ", the CPU " + cpu.pick(n) + ", which are not tied: " + viaDevice + " vs " + viaCpu,
                    Math.abs(viaDevice - viaCpu) <= TIE * prior
                );
                diverged = true;
            }
        }
        if (diverged == false) {
            assertEquals(what + ": steps", cpu.steps(), onDevice.steps());
            assertArrayEquals(what + ": kept picks", cpu.selected(), onDevice.selected());
        }
        return worst;
    }

    @Test
    public void testConcurrentSelectionsShareBatchesAndMatchSingleRuns() throws Exception {
        OpenClSelectionBackend gpu = backend(SelectionListener.NONE, TimeUnit.MILLISECONDS.toNanos(20));
        int threads = 12;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<SelectionProblem> problems = new ArrayList<>();
            List<SiftOptions> options = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Random random = new Random(100 + i);
                int dims = 8 + random.nextInt(40);
                float[] c = RandomProblems.candidates(random, 50 + random.nextInt(200), dims, true);
                problems.add(new SelectionProblem(c, RandomProblems.targets(random, c, 1 + random.nextInt(2), dims, true), dims));
                options.add(SiftOptions.builder(5 + random.nextInt(20)).lambda(0.01).build());
            }
            List<Selection> alone = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                alone.add(gpu.sift(problems.get(i), options.get(i), Cancellation.NONE));
            }
            long batchesBefore = gpu.batches();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Selection>> together = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int at = i;
                together.add(pool.submit(() -> {
                    start.await();
                    return gpu.sift(problems.get(at), options.get(at), Cancellation.NONE);
                }));
            }
            start.countDown();
            for (int i = 0; i < threads; i++) {
                Selection s = together.get(i).get(60, TimeUnit.SECONDS);
                // the same kernels on the same device: bit for bit, whatever else is in the batch
                assertArrayEquals("selection " + i, alone.get(i).picks(), s.picks());
                assertArrayEquals("selection " + i, alone.get(i).variances(), s.variances(), 0.0);
            }
            long batches = gpu.batches() - batchesBefore;
            assertTrue("12 concurrent selections took " + batches + " batches", batches < threads);
            assertEquals(0, device.liveBuffers());
        } finally {
            pool.shutdownNow();
            gpu.close();
        }
    }

    @Test
    public void testDeviceErrorsFallBackToTheCpuWithoutLeakingBuffers() {
        AtomicInteger failuresLeft = new AtomicInteger(3);
        List<String> warnings = new CopyOnWriteArrayList<>();
        Recorder listener = new Recorder();
        OpenClSelectionBackend gpu = backend(device, new CpuSelectionBackend(ScalarKernelOps.INSTANCE, listener), listener, 0, 0, () -> {
            if (failuresLeft.getAndDecrement() > 0) {
                throw new org.jocl.CLException("CL_MEM_OBJECT_ALLOCATION_FAILURE (injected)", org.jocl.CL.CL_MEM_OBJECT_ALLOCATION_FAILURE);
            }
        }, warnings::add);
        try {
            Random random = new Random(7);
            float[] c = RandomProblems.candidates(random, 120, 16, true);
            SelectionProblem problem = new SelectionProblem(c, RandomProblems.targets(random, c, 1, 16, true), 16);
            SiftOptions options = SiftOptions.builder(10).build();
            Selection expected = CPU.sift(problem, options, Cancellation.NONE);
            for (int i = 0; i < 5; i++) {
                Selection s = gpu.sift(problem, options, Cancellation.NONE);
                assertArrayEquals(expected.selected(), s.selected());
            }
            assertEquals(
                List.of(
                    "fell back: gpu device_error", "ran on cpu",
                    "fell back: gpu device_error", "ran on cpu",
                    "fell back: gpu device_error", "ran on cpu",
                    "ran on gpu", "ran on gpu"
                ),
                listener.events
            );
            assertEquals(3, warnings.size());
            assertTrue(warnings.get(0), warnings.get(0).contains("runs on the CPU") && warnings.get(0).contains("injected"));
            assertEquals("every buffer of the failed batches was released", 0, device.liveBuffers());
        } finally {
            gpu.close();
        }
    }

    @Test
    public void testManySelectionsLeaveNoBuffers() {
        OpenClSelectionBackend gpu = backend(SelectionListener.NONE, 0);
        try {
            Random random = new Random(3);
            for (int i = 0; i < 200; i++) {
                int dims = 1 + random.nextInt(20);
                float[] c = RandomProblems.candidates(random, 1 + random.nextInt(80), dims, false);
                SelectionProblem problem = new SelectionProblem(c, RandomProblems.targets(random, c, 1, dims, false), dims);
                assertNotNull(gpu.sift(problem, SiftOptions.builder(1 + random.nextInt(10)).build(), Cancellation.NONE));
            }
            assertEquals(0, device.liveBuffers());
        } finally {
            gpu.close();
        }
    }

    @Test
    public void testSmallWindowsAndOversizedOnesRunOnTheCpu() {
        Recorder listener = new Recorder();
        Random random = new Random(11);
        float[] c = RandomProblems.candidates(random, 100, 8, true);
        SelectionProblem problem = new SelectionProblem(c, RandomProblems.targets(random, c, 1, 8, true), 8);
        SiftOptions options = SiftOptions.builder(5).build();
        CpuSelectionBackend cpu = new CpuSelectionBackend(ScalarKernelOps.INSTANCE, listener);
        OpenClSelectionBackend smallOnCpu = backend(device, cpu, listener, 801, 0, () -> {}, m -> {});
        OpenClSelectionBackend tinyBudget = new OpenClSelectionBackend(open(), cpu, listener, 0, 1000, 0, 8, r -> new Thread(r), m -> {}, () -> {});
        try {
            smallOnCpu.sift(problem, options, Cancellation.NONE); // 100 × 8 = 800 values, below 801
            tinyBudget.sift(problem, options, Cancellation.NONE); // needs more than 1000 bytes
            assertEquals(List.of("ran on cpu", "fell back: gpu too_large", "ran on cpu"), listener.events);
            assertEquals(0, smallOnCpu.batches() + tinyBudget.batches());
        } finally {
            smallOnCpu.close();
            tinyBudget.close();
        }
    }

    @Test
    public void testCancellationStopsTheSelectionAndReleasesItsBuffers() {
        OpenClSelectionBackend gpu = backend(SelectionListener.NONE, 0);
        try {
            Random random = new Random(5);
            float[] c = RandomProblems.candidates(random, 400, 16, true);
            SelectionProblem problem = new SelectionProblem(c, RandomProblems.targets(random, c, 1, 16, true), 16);
            AtomicInteger checks = new AtomicInteger();
            IllegalStateException cancelled = new IllegalStateException("cancelled by the test");
            Cancellation cancelAfterTwo = () -> {
                if (checks.incrementAndGet() > 2) {
                    throw cancelled;
                }
            };
            try {
                gpu.sift(problem, SiftOptions.builder(200).build(), cancelAfterTwo);
                fail("a cancelled selection returned");
            } catch (IllegalStateException e) {
                assertSame(cancelled, e);
            }
            assertEquals(0, device.liveBuffers());
        } finally {
            gpu.close();
        }
    }

    /** What a backend told its listener, in order: {@code ran on <backend>}, {@code fell back: <backend> <reason>}. */
    private static final class Recorder implements SelectionListener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void selected(String backend, int candidates, long nanos) {
            events.add("ran on " + backend);
        }

        @Override
        public void fellBack(String backend, String reason) {
            events.add("fell back: " + backend + " " + reason);
        }
    }
}
