package dev.sift.bench;

import dev.sift.engine.Cancellation;
import dev.sift.engine.Selection;
import dev.sift.engine.SelectionProblem;
import dev.sift.engine.SiftOptions;
import dev.sift.engine.backend.CpuSelectionBackend;
import dev.sift.engine.backend.SelectionBackend;
import dev.sift.engine.backend.SelectionListener;
import dev.sift.engine.backend.opencl.OpenClDevice;
import dev.sift.engine.backend.opencl.OpenClSelectionBackend;
import dev.sift.engine.kernels.KernelOpsProvider;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The OpenCL backend against the CPU engine on one machine, for docs/gpu.md: for each window shape K × d (N picks,
 * one query), the milliseconds of one selection on one CPU core and on the device, and the throughput of a batch of
 * B concurrent selections on all CPU cores and on the device (which runs them together). Every device selection is
 * checked against the CPU's picks.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp ... dev.sift.bench.OpenClBench [--device gpu|any] [--shapes 1000x384,10000x1024]
 *     [--picks 100] [--batches 1,16,64] [--reps 5]
 * </pre>
 */
public final class OpenClBench {

    private OpenClBench() {}

    public static void main(String[] args) throws Exception {
        OpenClDevice.Eligible eligible = OpenClDevice.Eligible.GPU;
        String shapes = "1000x384,1000x1024,10000x384,10000x1024,10000x1536,100000x1024";
        int picks = 100;
        String batches = "1,16,64";
        int reps = 5;
        for (int i = 0; i < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--device" -> eligible = OpenClDevice.Eligible.valueOf(value.toUpperCase(Locale.ROOT));
                case "--shapes" -> shapes = value;
                case "--picks" -> picks = Integer.parseInt(value);
                case "--batches" -> batches = value;
                case "--reps" -> reps = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        OpenClDevice device = OpenClDevice.open(eligible);
        OpenClDevice.Info info = device.info();
        int cores = Runtime.getRuntime().availableProcessors();
        CpuSelectionBackend cpu = new CpuSelectionBackend(KernelOpsProvider.get().ops());
        OpenClSelectionBackend gpu = new OpenClSelectionBackend(
            device,
            cpu,
            SelectionListener.NONE,
            0,
            (long) (info.globalMemoryBytes() * 0.8),
            java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(1),
            4096,
            r -> new Thread(r, "sift-opencl"),
            System.err::println,
            () -> {}
        );
        gpu.warmUp();
        System.out.printf(
            Locale.ROOT,
            "device: %s (%s, %s, %s, %d MiB); CPU: %d cores, kernels %s; N = %d picks, 1 query, %d repetitions (median)%n%n",
            info.name(),
            info.platform(),
            info.type(),
            info.openClVersion(),
            info.globalMemoryBytes() >> 20,
            cores,
            cpu.device(),
            picks,
            reps
        );
        System.out.println("| K | d | B | CPU 1 core ms/sel | device ms/sel | speed-up | CPU all cores sel/s | device sel/s | ratio | picks equal |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(cores, 64));
        try {
            for (String shape : shapes.split(",")) {
                String[] kd = shape.split("x");
                int k = Integer.parseInt(kd[0]);
                int d = Integer.parseInt(kd[1]);
                for (String b : batches.split(",")) {
                    int batch = Integer.parseInt(b);
                    row(cpu, gpu, pool, cores, k, d, Math.min(picks, k), batch, reps);
                }
            }
        } finally {
            pool.shutdownNow();
            gpu.close();
        }
    }

    private static void row(
        SelectionBackend cpu,
        SelectionBackend gpu,
        ExecutorService pool,
        int cores,
        int k,
        int d,
        int picks,
        int batch,
        int reps
    ) throws Exception {
        List<SelectionProblem> problems = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            problems.add(problem(new Random(31L * k + d + i), k, d));
        }
        SiftOptions options = SiftOptions.builder(picks).build();
        // correctness first: the device's picks against the CPU's, for every problem of the batch
        boolean equal = true;
        for (SelectionProblem p : problems) {
            equal &= Arrays.equals(cpu.sift(p, options, Cancellation.NONE).picks(), gpu.sift(p, options, Cancellation.NONE).picks());
        }
        double cpuMs = median(reps, () -> cpu.sift(problems.get(0), options, Cancellation.NONE)) / 1e6;
        double gpuMs = median(reps, () -> gpu.sift(problems.get(0), options, Cancellation.NONE)) / 1e6;
        double cpuRate = throughput(pool, cpu, problems, options, cores, reps);
        double gpuRate = throughput(pool, gpu, problems, options, batch, reps);
        System.out.printf(
            Locale.ROOT,
            "| %d | %d | %d | %.2f | %.2f | %.1f× | %.1f | %.1f | %.1f× | %s |%n",
            k,
            d,
            batch,
            cpuMs,
            gpuMs,
            cpuMs / gpuMs,
            cpuRate,
            gpuRate,
            gpuRate / cpuRate,
            equal ? "yes" : "NO"
        );
    }

    private interface Run {
        Selection run();
    }

    private static double median(int reps, Run run) {
        for (int w = 0; w < Math.max(3, reps); w++) {
            run.run(); // warm-up: the JIT, the device's caches
        }
        long[] times = new long[reps];
        for (int r = 0; r < reps; r++) {
            long start = System.nanoTime();
            run.run();
            times[r] = System.nanoTime() - start;
        }
        Arrays.sort(times);
        return times[reps / 2];
    }

    /** Selections per second for the whole batch submitted at once, {@code threads} at a time; best of the repetitions. */
    private static double throughput(
        ExecutorService pool,
        SelectionBackend backend,
        List<SelectionProblem> problems,
        SiftOptions options,
        int threads,
        int reps
    ) throws Exception {
        double best = 0;
        for (int r = 0; r < Math.max(2, reps / 2); r++) {
            long start = System.nanoTime();
            List<Future<?>> futures = new ArrayList<>();
            java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(threads);
            for (SelectionProblem p : problems) {
                slots.acquire();
                futures.add(pool.submit(() -> {
                    try {
                        return backend.sift(p, options, Cancellation.NONE);
                    } finally {
                        slots.release();
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.MINUTES);
            }
            best = Math.max(best, problems.size() / ((System.nanoTime() - start) / 1e9));
        }
        return best;
    }

    /** K unit vectors in 20 clusters and one query near a cluster: a kNN window's shape, not its order. */
    private static SelectionProblem problem(Random random, int k, int d) {
        float[][] centres = new float[20][d];
        for (float[] c : centres) {
            for (int j = 0; j < d; j++) {
                c[j] = (float) random.nextGaussian();
            }
        }
        float[] vectors = new float[k * d];
        for (int i = 0; i < k; i++) {
            float[] c = centres[i % centres.length];
            double norm = 0;
            for (int j = 0; j < d; j++) {
                float v = c[j] + (float) (0.5 * random.nextGaussian());
                vectors[i * d + j] = v;
                norm += (double) v * v;
            }
            float scale = (float) (1 / Math.sqrt(norm));
            for (int j = 0; j < d; j++) {
                vectors[i * d + j] *= scale;
            }
        }
        float[] query = new float[d];
        for (int j = 0; j < d; j++) {
            query[j] = centres[0][j] + (float) random.nextGaussian();
        }
        return new SelectionProblem(vectors, query, d);
    }
}
